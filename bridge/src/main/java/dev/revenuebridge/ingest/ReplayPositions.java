package dev.revenuebridge.ingest;

import java.util.Optional;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Where the Salesforce subscription resumes, per channel. The ingest route stores a replay id only after Kafka
 * acknowledged the event it belongs to, so a restart replays what was not yet safely on Kafka and nothing is lost.
 */
@Component("replayPositions")
public class ReplayPositions {

    private final JdbcTemplate jdbc;

    public ReplayPositions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> load(String channel) {
        return jdbc.query("SELECT replay_id FROM replay_position WHERE channel = ?", (rs, i) -> rs.getString(1), channel)
                .stream().findFirst();
    }

    /** When the channel's position was last stored. */
    public Optional<java.time.Instant> storedAt(String channel) {
        return jdbc.query("SELECT updated_at FROM replay_position WHERE channel = ?",
                (rs, i) -> rs.getTimestamp(1).toInstant(), channel).stream().findFirst();
    }

    public void save(@Header("replayChannel") String channel, @Header("CamelSalesforcePubSubReplayId") String replayId) {
        if (channel == null || replayId == null) {
            throw new IllegalArgumentException("a replay position needs a channel and a replay id");
        }
        jdbc.update("""
                INSERT INTO replay_position (channel, replay_id, updated_at) VALUES (?, ?, now())
                ON CONFLICT (channel) DO UPDATE SET replay_id = EXCLUDED.replay_id, updated_at = now()
                """, channel, replayId);
    }
}
