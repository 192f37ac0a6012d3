package dev.revenuebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitFrontierTest {

    static final TopicPartition P0 = new TopicPartition("revenue.deals", 0);
    static final TopicPartition P1 = new TopicPartition("revenue.deals", 1);

    final CommitFrontier frontier = new CommitFrontier();

    @Test
    void aRecordDoneBeforeAnEarlierOneIsNotCommittedUntilTheEarlierOneIsDone() {
        frontier.started(P0, 10);
        frontier.started(P0, 11);
        frontier.started(P0, 12);

        assertThat(frontier.finished(P0, 12)).isEmpty();
        assertThat(frontier.finished(P0, 11)).isEmpty();
        assertThat(frontier.finished(P0, 10)).as("past 10, 11 and 12: the next to read is 13").hasValue(13);
        assertThat(frontier.held()).isZero();
    }

    @Test
    void theFrontierStopsAtTheFirstUnfinishedRecord() {
        frontier.started(P0, 3);
        frontier.started(P0, 4);
        frontier.started(P0, 7);

        assertThat(frontier.finished(P0, 3)).hasValue(4);
        assertThat(frontier.finished(P0, 7)).isEmpty();
        assertThat(frontier.held()).isEqualTo(2);
        // offsets need not be contiguous (transaction markers, compaction): 7 was the next record after 4
        assertThat(frontier.finished(P0, 4)).hasValue(8);
    }

    @Test
    void partitionsAreIndependent() {
        frontier.started(P0, 0);
        frontier.started(P1, 0);
        frontier.started(P1, 1);

        assertThat(frontier.finished(P1, 0)).hasValue(1);
        assertThat(frontier.finished(P1, 1)).hasValue(2);
        assertThat(frontier.held()).isEqualTo(1);
        assertThat(frontier.finished(P0, 0)).hasValue(1);
    }

    @Test
    void aRecordDeliveredTwiceIsDoneWhenBothDeliveriesAre() {
        // a rebalance gave the partition back and Kafka re-delivered offset 5 while the first delivery still ran
        frontier.started(P0, 5);
        frontier.started(P0, 5);

        assertThat(frontier.finished(P0, 5)).isEmpty();
        assertThat(frontier.finished(P0, 5)).isEqualTo(OptionalLong.of(6));
    }

    @Test
    void aRecordThatWasNeverStartedCannotFinish() {
        frontier.started(P0, 1);
        assertThatThrownBy(() -> frontier.finished(P0, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("offset 2 of revenue.deals-0");
        assertThatThrownBy(() -> frontier.finished(P1, 1)).isInstanceOf(IllegalStateException.class);
    }
}
