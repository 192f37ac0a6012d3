package dev.revenuebridge.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code routePolicy: leaderOnly}: the route runs on one replica at a time, the leader of the cluster namespace
 * {@code revenue.cluster.namespace} (Camel's cluster service: a Kubernetes Lease in the cluster, a PostgreSQL lease
 * outside it). Routes that would start on their own start when this replica becomes leader, after every
 * {@link LeaderRouteStart} ran; routes started later (the subscription from the earliest event) are started by whoever
 * needs them. Every such route stops when leadership is lost, and none runs on a replica that is not the leader.
 *
 * <p>Not camel-master's {@code master:} endpoint: it creates its delegate endpoint once, so a replica that becomes
 * leader hours later would resume the subscription from the replay position of its own startup.
 */
@Component("leaderOnly")
public class LeaderOnlyRoutePolicy extends RoutePolicySupport
        implements CamelClusterEventListener.Leadership, CamelContextConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderOnlyRoutePolicy.class);
    private static final long RETRY_SECONDS = 10;

    private final CamelClusterService clusterService;
    private final String namespace;
    private final List<LeaderRouteStart> preparations;
    private final Set<String> startOnLeadership = ConcurrentHashMap.newKeySet();
    private final Set<String> managed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            dev.revenuebridge.metrics.DaemonThreads.named("leader-only-routes"));
    private volatile boolean leader;
    private volatile CamelContext camel;

    public LeaderOnlyRoutePolicy(CamelClusterService clusterService,
                                 @Value("${revenue.cluster.namespace}") String namespace,
                                 List<LeaderRouteStart> preparations, MeterRegistry meters) {
        this.clusterService = clusterService;
        this.namespace = namespace;
        this.preparations = preparations;
        Gauge.builder("revenue.bridge.leader", this, p -> p.leader ? 1 : 0)
                .description("1 while this replica holds the Salesforce subscription (leader of revenue.cluster.namespace)")
                .tag("namespace", namespace).register(meters);
    }

    public boolean isLeader() {
        return leader;
    }

    @Override
    public void onInit(Route route) {
        super.onInit(route);
        managed.add(route.getRouteId());
        if (!Boolean.FALSE.equals(route.isAutoStartup())) {
            startOnLeadership.add(route.getRouteId());
        }
        route.setAutoStartup(false);
        LOG.info("Route {} runs on the leader of cluster namespace {} only", route.getRouteId(), namespace);
    }

    @Override
    public void onStart(Route route) {
        if (!leader) {
            LOG.warn("Route {} was started on a replica that is not the leader of {}: stopping it", route.getRouteId(),
                    namespace);
            worker.execute(this::stopAll);
        }
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        // nothing before the routes exist
    }

    /** Joins the election once every route exists and the others run. */
    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        camel = camelContext;
        try {
            CamelClusterView view = clusterService.getView(namespace);
            view.addEventListener(this);
            if (!camelContext.hasService(clusterService)) {
                camelContext.addService(clusterService, true, true);
            }
            // a leadership taken before the listener was added is not announced again
            leadershipChanged(view, view.getLeader().orElse(null));
        } catch (Exception e) {
            throw new IllegalStateException("cannot join cluster namespace " + namespace, e);
        }
    }

    @Override
    public synchronized void leadershipChanged(CamelClusterView view, CamelClusterMember leaderMember) {
        boolean local = leaderMember != null && leaderMember.isLocal();
        if (local == leader) {
            return;
        }
        leader = local;
        LOG.info("Cluster {}: this replica {} the leader", namespace, local ? "is now" : "is no longer");
        try {
            worker.execute(local ? this::startAll : this::stopAll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Cluster {}: the bridge is shutting down, its routes stop with it", namespace);
        }
    }

    private void startAll() {
        CamelContext context = camel;
        if (!leader || context == null || context.isStopping() || context.isStopped()) {
            return;
        }
        boolean retry = false;
        // each route on its own: a subscription that cannot start (Salesforce refuses the sign-in) does not keep the
        // sweep or the outcome events from running
        for (String id : startOnLeadership) {
            try {
                if (context.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                    Route route = context.getRoute(id);
                    preparations.forEach(p -> p.beforeStart(route));
                    recreate(context, id);
                    context.getRouteController().startRoute(id);
                    LOG.info("Route {} started: this replica leads {}", id, namespace);
                }
            } catch (Exception e) {
                retry = true;
                LOG.error("Leader of {}: route {} did not start, trying again in {} s: {}", namespace, id, RETRY_SECONDS,
                        e.getMessage(), e);
            }
        }
        if (retry) {
            worker.schedule(this::startAll, RETRY_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * The route is made again from its definition, so that its endpoint takes the settings of this moment (the
     * placeholders the preparations set): a route made earlier keeps the endpoint of its own moment, whose consumer
     * would resume the Salesforce subscription from the replay position of then, not from the one stored now.
     */
    private static void recreate(CamelContext context, String id) throws Exception {
        ModelCamelContext model = (ModelCamelContext) context;
        RouteDefinition definition = model.getRouteDefinition(id);
        model.removeRouteDefinition(definition);
        model.addRouteDefinition(definition);
    }

    private void stopAll() {
        CamelContext context = camel;
        if (leader || context == null) {
            return;
        }
        for (String id : managed) {
            try {
                ServiceStatus status = context.getRouteController().getRouteStatus(id);
                if (status != null && status.isStarted()) {
                    context.getRouteController().stopRoute(id, 10, TimeUnit.SECONDS);
                    LOG.info("Route {} stopped: this replica no longer leads {}", id, namespace);
                }
            } catch (Exception e) {
                LOG.error("Route {} did not stop after leadership of {} was lost: {}", id, namespace, e.getMessage(), e);
            }
        }
    }

    /** Not in doStop: a route policy is stopped with each of its routes, and the routes stop and start again. */
    @jakarta.annotation.PreDestroy
    void shutdownWorker() {
        worker.shutdownNow();
    }
}
