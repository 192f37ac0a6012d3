package dev.revenuebridge.cluster;

import org.apache.camel.Route;

/**
 * Something to do just before a leader-only route starts on the member that became leader: the other member may have
 * moved on since this one was created (the Salesforce subscription resumes from the replay position stored now, not
 * the one of this member's startup).
 */
public interface LeaderRouteStart {

    void beforeStart(Route route);
}
