package dev.revenuebridge.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.revenuebridge.support.BridgeInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The PostgreSQL lease (DatabaseClusterService) on its own, two members on one database: exactly one leads; a leader
 * that stops hands over at once; a leader cut off from the database steps down before its lease ends, and the other
 * member takes over only after it ends, so at no moment do two members lead.
 */
class DatabaseClusterServiceTest {

    static final BridgeInfrastructure INFRA = BridgeInfrastructure.shared();
    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final Duration RENEW = Duration.ofMillis(250);

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private Member a;
    private Member b;

    /** A member: its service, its view, and a database connection that can be cut. */
    static final class Member {
        final AtomicBoolean cutOff = new AtomicBoolean();
        final AtomicInteger leaderships = new AtomicInteger();
        final DatabaseClusterService service;
        CamelClusterView view;

        Member(String id, DataSource database) {
            DataSource breakable = new DelegatingDataSource(database) {
                @Override
                public Connection getConnection() throws SQLException {
                    if (cutOff.get()) {
                        throw new SQLException("connection refused (the test cut this member off)");
                    }
                    return super.getConnection();
                }
            };
            service = new DatabaseClusterService(new JdbcTemplate(breakable), id, LEASE, RENEW);
        }

        boolean leads() {
            return view.getLocalMember().isLeader();
        }
    }

    @BeforeEach
    void twoMembers() throws Exception {
        String url = INFRA.createDatabase("cluster_lease_" + ProcessHandle.current().pid());
        DataSource database = new DriverManagerDataSource(url, "postgres", "postgres");
        try (var migration = getClass().getResourceAsStream("/db/migration/V12__cluster_leader.sql")) {
            new JdbcTemplate(database).execute(new String(migration.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        camel.start();
        a = new Member("member-a", database);
        b = new Member("member-b", database);
        for (Member m : List.of(a, b)) {
            m.service.setCamelContext(camel);
            m.service.start();
            m.view = m.service.getView("salesforce-subscription");
            m.view.addEventListener((CamelClusterEventListener.Leadership) (view, leader) -> {
                if (leader != null && leader.isLocal()) {
                    m.leaderships.incrementAndGet();
                }
            });
        }
    }

    @AfterEach
    void stop() {
        a.service.stop();
        b.service.stop();
        camel.stop();
    }

    @Test
    void oneMemberLeadsAndAStoppedLeaderHandsOverAtOnce() {
        await().atMost(Duration.ofSeconds(5)).until(() -> a.leads() || b.leads());
        Member leader = a.leads() ? a : b;
        Member other = leader == a ? b : a;
        await().pollDelay(Duration.ofMillis(4 * RENEW.toMillis())).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(other.leads()).as("the other member follows").isFalse();
        assertThat(other.view.getLeader()).hasValueSatisfying(l -> assertThat(l.getId()).isEqualTo(leader.view.getLocalMember().getId()));

        long stopped = System.nanoTime();
        leader.service.stop();
        await().atMost(Duration.ofSeconds(2)).until(other::leads);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("no wait for the lease to run out")
                .isLessThan(LEASE);
    }

    @Test
    void aLeaderCutOffFromTheDatabaseStepsDownBeforeTheOtherTakesOver() throws InterruptedException {
        await().atMost(Duration.ofSeconds(5)).until(() -> a.leads() || b.leads());
        Member leader = a.leads() ? a : b;
        Member other = leader == a ? b : a;

        leader.cutOff.set(true);
        long steppedDown = 0;
        long tookOver = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && tookOver == 0) {
            boolean leaderLeads = leader.leads();
            boolean otherLeads = other.leads();
            assertThat(leaderLeads && otherLeads).as("two leaders at once").isFalse();
            if (!leaderLeads && steppedDown == 0) {
                steppedDown = System.nanoTime();
            }
            if (otherLeads) {
                tookOver = System.nanoTime();
            }
            Thread.sleep(10);
        }
        assertThat(steppedDown).as("the cut-off leader stepped down").isPositive();
        assertThat(tookOver).as("the other member took over").isPositive();
        assertThat(tookOver).as("after the cut-off leader stepped down").isGreaterThan(steppedDown);

        leader.cutOff.set(false);
        await().pollDelay(Duration.ofMillis(4 * RENEW.toMillis())).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(leader.leads()).as("back online, it follows the new leader").isFalse();
        assertThat(other.leads()).isTrue();
        assertThat(other.leaderships.get()).isEqualTo(1);
    }
}
