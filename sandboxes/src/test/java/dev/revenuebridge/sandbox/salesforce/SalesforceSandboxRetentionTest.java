package dev.revenuebridge.sandbox.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Change events are retained 72 hours on the sandbox clock ("Pub/Sub API: Event Message Durability"). */
class SalesforceSandboxRetentionTest {

    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void eventsOlderThanTheRetentionAreGoneAndReplayIdsAreNeverReused() {
        try (SalesforceSandbox org = new SalesforceSandbox()) {
            long first = org.publishHeaderOnlyEvent("GAP_UPDATE", List.of("006Dn00000SeedAAA"));
            long second = org.publishHeaderOnlyEvent("GAP_UPDATE", List.of("006Dn00000SeedAAA"));
            assertThat(org.earliestRetainedReplayId()).isEqualTo(first);
            assertThat(org.eventRetention()).isEqualTo(Duration.ofHours(72));

            org.advance(Duration.ofHours(71));
            long third = org.publishHeaderOnlyEvent("GAP_UPDATE", List.of("006Dn00000SeedAAA"));
            org.advance(Duration.ofHours(2));   // first and second are 73 hours old now, third 2 hours
            assertThat(org.earliestRetainedReplayId()).isEqualTo(third);
            assertThat(org.redeliver(first)).isFalse();
            assertThat(org.redeliver(third)).isTrue();

            org.advance(Duration.ofHours(72));
            assertThat(org.earliestRetainedReplayId()).isZero();
            long fourth = org.publishHeaderOnlyEvent("GAP_UPDATE", List.of("006Dn00000SeedAAA"));
            assertThat(List.of(first, second, third, fourth)).isSorted().doesNotHaveDuplicates();
            assertThat(fourth).isEqualTo(third + 1);
            assertThat(org.eventCount()).isEqualTo(4);

            org.eventRetention(Duration.ZERO);
            org.advance(Duration.ofMillis(1));
            assertThat(org.earliestRetainedReplayId()).isZero();
        }
    }

    @Test
    void aCustomReplayIdMustBeRetainedOrJustBeforeTheEarliestRetained() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T10:00:00Z"));
        PubSubSandbox pubSub = new PubSubSandbox(token -> true, now::get);
        pubSub.publish(new byte[0]);                       // 1
        pubSub.publish(new byte[0]);                       // 2
        now.set(now.get().plus(Duration.ofHours(10)));
        pubSub.publish(new byte[0]);                       // 3
        now.set(now.get().plus(Duration.ofHours(63)));     // 1 and 2 are 73 hours old
        assertThat(pubSub.earliestRetainedReplayId()).isEqualTo(3);

        Recorder expired = subscribe(pubSub, ReplayPreset.CUSTOM, 1);
        assertThat(expired.error).isNotNull();
        assertThat(expired.error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(expired.error.getTrailers().get(ERROR_CODE)).isEqualTo(PubSubSandbox.REPLAY_ID_CORRUPTED);

        Recorder future = subscribe(pubSub, ReplayPreset.CUSTOM, 9);
        assertThat(future.error).isNotNull();

        Recorder justBefore = subscribe(pubSub, ReplayPreset.CUSTOM, 2);   // resuming after 2 loses nothing
        assertThat(justBefore.error).isNull();
        assertThat(justBefore.replayIds()).containsExactly(3L);

        Recorder earliest = subscribe(pubSub, ReplayPreset.EARLIEST, 0);
        assertThat(earliest.replayIds()).containsExactly(3L);

        Recorder latest = subscribe(pubSub, ReplayPreset.CUSTOM, 3);
        assertThat(latest.error).isNull();
        assertThat(latest.replayIds()).isEmpty();
        pubSub.publish(new byte[0]);
        assertThat(latest.replayIds()).containsExactly(4L);
        assertThat(justBefore.replayIds()).containsExactly(3L, 4L);
    }

    private static Recorder subscribe(PubSubSandbox pubSub, ReplayPreset preset, long replayId) {
        Recorder recorder = new Recorder();
        StreamObserver<FetchRequest> requests = pubSub.subscribe(recorder);
        FetchRequest.Builder request = FetchRequest.newBuilder().setTopicName(ChangeEvents.TOPIC).setReplayPreset(preset)
                .setNumRequested(100);
        if (preset == ReplayPreset.CUSTOM) {
            request.setReplayId(PubSubSandbox.replayIdBytes(replayId));
        }
        requests.onNext(request.build());
        return recorder;
    }

    /** A Subscribe stream's client end: the responses and the error it got. */
    private static final class Recorder implements StreamObserver<FetchResponse> {
        final List<FetchResponse> responses = new ArrayList<>();
        StatusRuntimeException error;

        List<Long> replayIds() {
            return responses.stream().flatMap(r -> r.getEventsList().stream())
                    .map(e -> e.getReplayId().asReadOnlyByteBuffer().getLong()).toList();
        }

        @Override
        public void onNext(FetchResponse value) {
            responses.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = (StatusRuntimeException) t;
        }

        @Override
        public void onCompleted() {
        }
    }

    @Test
    void salesRepEditsOfAccountsAndLineItemsStampThemButEmitNoEvent() throws Exception {
        try (SalesforceSandbox org = new SalesforceSandbox()) {
            org.loadDeal(SalesforceSandboxSoqlTest.seed(), true);
            int events = org.eventCount();
            org.advance(Duration.ofMinutes(5));
            String before = (String) org.record("Account", "001Dn00000AcmeAAA").get("SystemModstamp");
            assertThat(org.editAsSalesRep("Account", "001Dn00000AcmeAAA", Map.of("BillingCity", "Chicago"))).isZero();
            assertThat(org.editAsSalesRep("OpportunityLineItem", "00kDn00000Impl1AAA", Map.of("Quantity", 2))).isZero();
            assertThat(org.eventCount()).isEqualTo(events);
            Map<String, Object> account = org.record("Account", "001Dn00000AcmeAAA");
            assertThat(Soql.instant((String) account.get("SystemModstamp"))).isAfter(Soql.instant(before));
            assertThat(account).containsEntry("LastModifiedById", SalesforceSandbox.SALES_REP_ID)
                    .containsEntry("LastModifiedDate", account.get("SystemModstamp"));
            Map<String, Object> line = org.record("OpportunityLineItem", "00kDn00000Impl1AAA");
            assertThat(line).containsEntry("LastModifiedById", SalesforceSandbox.SALES_REP_ID);
            assertThat(Soql.instant((String) line.get("SystemModstamp"))).isAfter(Soql.instant(before));
            assertThat(org.record("Opportunity", "006Dn00000SeedAAA"))
                    .containsEntry("LastModifiedById", SalesforceSandbox.SALES_REP_ID);
            assertThat(org.userId()).isEqualTo(SalesforceSandbox.USER_ID);
        }
    }
}
