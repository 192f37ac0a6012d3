package dev.revenuebridge.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Camel cluster service on PostgreSQL, for replicas outside Kubernetes (where the Kubernetes Lease service is used):
 * each namespace is a lease row in {@code cluster_leader}. Every {@code renewInterval} a member takes the lease if it is
 * free or expired, or renews it if it holds it; the lease lasts {@code leaseDuration} on PostgreSQL's clock. A leader
 * that could not renew for two thirds of the lease steps down on its own (before anyone else may take over), and a
 * leader that stops hands the lease over at once.
 */
public class DatabaseClusterService extends AbstractCamelClusterService<DatabaseClusterService.LeaseView> {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseClusterService.class);

    private final JdbcTemplate jdbc;
    private final String memberId;
    private final Duration leaseDuration;
    private final Duration renewInterval;

    public DatabaseClusterService(JdbcTemplate jdbc, String memberId, Duration leaseDuration, Duration renewInterval) {
        super("database");
        if (renewInterval.multipliedBy(3).compareTo(leaseDuration) > 0) {
            throw new IllegalArgumentException("revenue.cluster.renew-interval-ms (" + renewInterval.toMillis()
                    + ") must be at most a third of revenue.cluster.lease-duration-ms (" + leaseDuration.toMillis() + ")");
        }
        this.jdbc = jdbc;
        this.memberId = memberId;
        this.leaseDuration = leaseDuration;
        this.renewInterval = renewInterval;
    }

    public String memberId() {
        return memberId;
    }

    @Override
    protected LeaseView createView(String namespace) {
        return new LeaseView(namespace);
    }

    /** One election: this member's view of who holds the namespace's lease. */
    public final class LeaseView extends AbstractCamelClusterView {

        private final Member local = new Member(memberId, true);
        private ScheduledExecutorService timer;
        private volatile Optional<CamelClusterMember> leader = Optional.empty();
        private long renewedAt;

        LeaseView(String namespace) {
            super(DatabaseClusterService.this, namespace);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            return leader;
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            List<CamelClusterMember> members = new ArrayList<>(List.of(local));
            leader.filter(l -> !l.isLocal()).ifPresent(members::add);
            return members;
        }

        @Override
        protected void doStart() {
            timer = Executors.newSingleThreadScheduledExecutor(
                    dev.revenuebridge.metrics.DaemonThreads.named("cluster-lease-" + getNamespace()));
            timer.scheduleWithFixedDelay(this::tick, 0, renewInterval.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            if (local.isLeader()) {
                try {
                    jdbc.update("UPDATE cluster_leader SET expires_at = now() - interval '1 second'"
                            + " WHERE namespace = ? AND holder = ?", getNamespace(), memberId);
                    LOG.info("Cluster {}: {} handed the lease over", getNamespace(), memberId);
                } catch (DataAccessException e) {
                    LOG.warn("Cluster {}: could not hand the lease over (it expires by itself): {}", getNamespace(),
                            e.getMessage());
                }
                changeLeader(Optional.empty());
            }
        }

        /** Take or renew the lease; learn who holds it otherwise. */
        void tick() {
            try {
                List<String> held = jdbc.queryForList("""
                        INSERT INTO cluster_leader AS l (namespace, holder, acquired_at, renewed_at, expires_at)
                        VALUES (?, ?, now(), now(), now() + make_interval(secs => ?))
                        ON CONFLICT (namespace) DO UPDATE
                           SET holder = EXCLUDED.holder,
                               acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END,
                               renewed_at = now(),
                               expires_at = EXCLUDED.expires_at
                         WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
                        RETURNING l.holder""", String.class,
                        getNamespace(), memberId, leaseDuration.toMillis() / 1000.0);
                if (!held.isEmpty()) {
                    renewedAt = System.nanoTime();
                    changeLeader(Optional.of(local));
                    return;
                }
                List<String> holder = jdbc.queryForList("SELECT holder FROM cluster_leader"
                        + " WHERE namespace = ? AND expires_at >= now()", String.class, getNamespace());
                changeLeader(holder.stream().findFirst().map(id -> new Member(id, false)));
            } catch (RuntimeException e) {
                // the lease cannot be renewed: a leader steps down before the lease can pass to another member
                if (local.isLeader() && System.nanoTime() - renewedAt > leaseDuration.toNanos() * 2 / 3) {
                    LOG.error("Cluster {}: {} could not renew its lease for two thirds of it, stepping down: {}",
                            getNamespace(), memberId, e.getMessage());
                    changeLeader(Optional.empty());
                } else {
                    LOG.warn("Cluster {}: lease not renewed, trying again: {}", getNamespace(), e.getMessage());
                }
            }
        }

        private void changeLeader(Optional<CamelClusterMember> next) {
            String before = leader.map(CamelClusterMember::getId).orElse(null);
            String after = next.map(CamelClusterMember::getId).orElse(null);
            local.leader = next.map(CamelClusterMember::isLocal).orElse(false);
            leader = next;
            if (!java.util.Objects.equals(before, after)) {
                LOG.info("Cluster {}: leader is {} (this member: {})", getNamespace(), after == null ? "nobody" : after,
                        memberId);
                fireLeadershipChangedEvent(next);
            }
        }
    }

    private static final class Member implements CamelClusterMember {
        private final String id;
        private final boolean isLocal;
        private volatile boolean leader;

        Member(String id, boolean isLocal) {
            this.id = id;
            this.isLocal = isLocal;
            this.leader = !isLocal;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return isLocal;
        }
    }
}
