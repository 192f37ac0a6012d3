package dev.revenuebridge.sandbox.salesforce;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Salesforce Pub/Sub API (gRPC over TLS) for {@code /data/OpportunityChangeEvent}: Subscribe with flow control
 * ({@code num_requested} / {@code pending_num_requested}), replay from LATEST, EARLIEST or a CUSTOM replay id,
 * GetSchema and GetTopic. Calls must carry the {@code accesstoken} header of a session the sandbox issued.
 *
 * <p>Retention ("Pub/Sub API: Event Message Durability", developer.salesforce.com/docs/platform/pub-sub-api/guide/
 * event-message-durability): "Salesforce stores platform events and change data capture events for 72 hours"; a
 * subscriber can resume from a stored replay id "to retrieve events that are within the retention window". Each event
 * records its publish instant on the sandbox clock; events older than the retention are purged. Replay ids grow
 * monotonically and are never reused, purged or not.
 */
final class PubSubSandbox extends PubSubGrpc.PubSubImplBase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubSandbox.class);
    static final String KEYSTORE = "/sandbox/salesforce/pubsub-server.p12";
    static final String TRUSTSTORE = "/sandbox/salesforce/pubsub-truststore.p12";
    static final String STORE_PASSWORD = "changeit";
    private static final Metadata.Key<String> ACCESS_TOKEN = Metadata.Key.of("accesstoken", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN = Context.key("accesstoken");

    /** Change events are kept 72 hours ("Event Message Durability"). */
    static final Duration DEFAULT_RETENTION = Duration.ofHours(72);

    /**
     * The error code Salesforce puts in the trailers for a replay id it cannot resume from. "Retry Long-Lived RPC
     * Calls After an Error Occurs" (developer.salesforce.com/docs/platform/pub-sub-api/guide/retry-rpc-calls):
     * {@code sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted} "means that the specified Replay ID
     * value is invalid. One possible cause is that it's an old Replay ID outside the 72-hour retention period."
     */
    static final String REPLAY_ID_CORRUPTED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted";

    /** One event of the log, with its publish instant on the sandbox clock. */
    record StoredEvent(long replayId, Instant publishedAt, ConsumerEvent event) {
    }

    private final List<StoredEvent> log = new CopyOnWriteArrayList<>();   // retained events, oldest first
    private final List<SalesforceSandbox.SubscriptionStart> starts = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Predicate<String> validToken;
    private final Supplier<Instant> clock;
    private volatile Duration retention = DEFAULT_RETENTION;
    private long lastReplayId;                                             // the newest replay id ever given out
    private Server server;

    /**
     * @param validToken whether an access token is a live session
     * @param clock the sandbox clock, on which events are stamped and expire
     */
    PubSubSandbox(Predicate<String> validToken, Supplier<Instant> clock) {
        this.validToken = validToken;
        this.clock = clock;
    }

    /** How long events are retained (default 72 hours); a shorter retention purges older events at once. */
    synchronized void retention(Duration retention) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative: " + retention);
        }
        this.retention = Objects.requireNonNull(retention);
        purge();
    }

    Duration retention() {
        return retention;
    }

    /** Drops the events published longer ago than the retention. */
    private synchronized void purge() {
        Instant horizon = clock.get().minus(retention);
        while (!log.isEmpty() && log.get(0).publishedAt().isBefore(horizon)) {
            log.remove(0);
        }
    }

    /** The replay id of the oldest retained event; 0 when none is retained. */
    synchronized long earliestRetainedReplayId() {
        purge();
        return log.isEmpty() ? 0 : log.get(0).replayId();
    }

    /** The newest replay id given out so far (0 before the first event): events published in all. */
    synchronized long lastReplayId() {
        return lastReplayId;
    }

    /**
     * The replay id a subscriber may resume after without losing a retained event: the one just before the earliest
     * retained event, or the newest one when none is retained.
     */
    private long resumeFloor() {
        return log.isEmpty() ? lastReplayId : log.get(0).replayId() - 1;
    }

    PubSubSandbox start(int port) {
        try (InputStream in = PubSubSandbox.class.getResourceAsStream(KEYSTORE)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, STORE_PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, STORE_PASSWORD.toCharArray());
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(kmf)).build())
                    .addService(ServerInterceptors.intercept(this, new AuthInterceptor()))
                    .build()
                    .start();
        } catch (Exception e) {
            throw new IllegalStateException("Salesforce Pub/Sub sandbox cannot start on port " + port, e);
        }
        LOG.info("Salesforce Pub/Sub sandbox listening on 127.0.0.1:{} (TLS)", port());
        return this;
    }

    int port() {
        return server.getPort();
    }

    /** Appends an event to the retained log and pushes it to every subscriber that asked for more. */
    synchronized long publish(byte[] avroPayload) {
        purge();
        long replayId = ++lastReplayId;
        ConsumerEvent event = ConsumerEvent.newBuilder()
                .setEvent(ProducerEvent.newBuilder()
                        .setId(UUID.randomUUID().toString())
                        .setSchemaId(ChangeEvents.SCHEMA_ID)
                        .setPayload(ByteString.copyFrom(avroPayload)))
                .setReplayId(replayIdBytes(replayId))
                .build();
        log.add(new StoredEvent(replayId, clock.get(), event));
        subscriptions.forEach(Subscription::drain);
        return replayId;
    }

    /**
     * Sends a retained event once more to every live subscriber: an at-least-once duplicate.
     * @return false when no retained event has this replay id (never published, or purged)
     */
    synchronized boolean redeliver(long replayId) {
        purge();
        StoredEvent stored = log.stream().filter(e -> e.replayId() == replayId).findFirst().orElse(null);
        if (stored == null) {
            return false;
        }
        subscriptions.forEach(s -> s.push(List.of(stored.event())));
        return true;
    }

    /** The retained events, oldest first. */
    synchronized List<StoredEvent> events() {
        purge();
        return List.copyOf(log);
    }

    int subscriberCount() {
        return subscriptions.size();
    }

    List<SalesforceSandbox.SubscriptionStart> subscriptionStarts() {
        return List.copyOf(starts);
    }

    static ByteString replayIdBytes(long replayId) {
        return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(replayId).array());
    }

    @Override
    public void getTopic(TopicRequest request, StreamObserver<TopicInfo> responseObserver) {
        if (!ChangeEvents.TOPIC.equals(request.getTopicName())) {
            responseObserver.onError(Status.NOT_FOUND.withDescription("topic not found: " + request.getTopicName())
                    .asRuntimeException());
            return;
        }
        responseObserver.onNext(TopicInfo.newBuilder().setTopicName(ChangeEvents.TOPIC).setSchemaId(ChangeEvents.SCHEMA_ID)
                .setCanSubscribe(true).setCanPublish(false).setRpcId(UUID.randomUUID().toString()).build());
        responseObserver.onCompleted();
    }

    @Override
    public void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> responseObserver) {
        if (!ChangeEvents.SCHEMA_ID.equals(request.getSchemaId())) {
            responseObserver.onError(Status.NOT_FOUND.withDescription("schema not found: " + request.getSchemaId())
                    .asRuntimeException());
            return;
        }
        responseObserver.onNext(SchemaInfo.newBuilder().setSchemaId(ChangeEvents.SCHEMA_ID)
                .setSchemaJson(ChangeEvents.SCHEMA_JSON).setRpcId(UUID.randomUUID().toString()).build());
        responseObserver.onCompleted();
    }

    @Override
    public StreamObserver<FetchRequest> subscribe(StreamObserver<FetchResponse> responseObserver) {
        Subscription subscription = new Subscription(responseObserver, TOKEN.get());
        return new StreamObserver<>() {
            @Override
            public void onNext(FetchRequest request) {
                subscription.onFetch(request);
            }

            @Override
            public void onError(Throwable t) {
                subscriptions.remove(subscription);
            }

            @Override
            public void onCompleted() {
                subscriptions.remove(subscription);
                subscription.complete();
            }
        };
    }

    /** One Subscribe stream: its position in the log and how many events the client still asked for. */
    private final class Subscription {
        private final StreamObserver<FetchResponse> observer;
        private final String token;
        private long after = -1;    // replay id after which to send; -1 until the first FetchRequest
        private int pending;
        private boolean closed;

        Subscription(StreamObserver<FetchResponse> observer, String token) {
            this.observer = observer;
            this.token = token;
        }

        void onFetch(FetchRequest request) {
            synchronized (PubSubSandbox.this) {
                if (after < 0) {
                    if (!ChangeEvents.TOPIC.equals(request.getTopicName())) {
                        fail(Status.NOT_FOUND.withDescription("topic not found: " + request.getTopicName()), null);
                        return;
                    }
                    purge();
                    Long start = startAfter(request);
                    if (start == null) {
                        // an unknown, future or purged replay id: the stream ends with the documented error code
                        fail(Status.INVALID_ARGUMENT.withDescription("The Replay ID validation failed. Ensure that"
                                + " the Replay ID is valid and within the retention window. rpcId: "
                                + UUID.randomUUID()), REPLAY_ID_CORRUPTED);
                        return;
                    }
                    after = start;
                    subscriptions.add(this);
                    starts.add(new SalesforceSandbox.SubscriptionStart(request.getReplayPreset(), start));
                    LOG.info("Pub/Sub subscriber on {} from {} (after replay id {}), num_requested {}",
                            request.getTopicName(), request.getReplayPreset(), start, request.getNumRequested());
                }
                pending += Math.max(0, request.getNumRequested());
                drain();
            }
        }

        /**
         * The replay id after which the subscription starts, or null when a CUSTOM replay id cannot be resumed from:
         * EARLIEST starts at the earliest retained event, LATEST after the newest one, CUSTOM after the given event,
         * which must be a retained event or the one just before the earliest retained (resuming after it loses
         * nothing).
         */
        private Long startAfter(FetchRequest request) {
            ReplayPreset preset = request.getReplayPreset();
            if (preset == ReplayPreset.EARLIEST) {
                return resumeFloor();
            }
            if (preset == ReplayPreset.CUSTOM) {
                ByteString raw = request.getReplayId();
                if (raw.size() != Long.BYTES) {
                    return null;
                }
                long replayId = raw.asReadOnlyByteBuffer().getLong();
                return replayId >= resumeFloor() && replayId <= lastReplayId ? replayId : null;
            }
            return lastReplayId;
        }

        void drain() {
            synchronized (PubSubSandbox.this) {
                if (closed || after < 0 || pending <= 0) {
                    return;
                }
                purge();
                List<ConsumerEvent> batch = new ArrayList<>();
                for (StoredEvent stored : log) {
                    if (pending <= 0) {
                        break;
                    }
                    if (stored.replayId() > after) {
                        batch.add(stored.event());
                        after = stored.replayId();
                        pending--;
                    }
                }
                if (!batch.isEmpty()) {
                    push(batch);
                }
            }
        }

        void push(List<ConsumerEvent> batch) {
            synchronized (PubSubSandbox.this) {
                if (closed) return;
                ConsumerEvent last = batch.get(batch.size() - 1);
                try {
                    observer.onNext(FetchResponse.newBuilder().addAllEvents(batch).setLatestReplayId(last.getReplayId())
                            .setRpcId(UUID.randomUUID().toString()).setPendingNumRequested(pending).build());
                } catch (RuntimeException e) {
                    LOG.debug("Pub/Sub subscriber went away: {}", e.toString());
                    closed = true;
                    subscriptions.remove(this);
                }
            }
        }

        void fail(Status status, String errorCode) {
            Metadata trailers = new Metadata();
            if (errorCode != null) {
                trailers.put(ERROR_CODE, errorCode);
            }
            closed = true;
            observer.onError(status.asRuntimeException(trailers));
        }

        void complete() {
            synchronized (PubSubSandbox.this) {
                if (!closed) {
                    closed = true;
                    try {
                        observer.onCompleted();
                    } catch (RuntimeException ignored) {
                        // the client is gone already
                    }
                }
            }
        }
    }

    /**
     * Ends every open Subscribe stream whose session is no longer valid (timed out or revoked), as Salesforce does:
     * UNAUTHENTICATED with the error code the client reacts to by signing in again and resubscribing from its last
     * replay id. Events published meanwhile stay in the log for that resubscription.
     */
    synchronized int expireSessions() {
        int ended = 0;
        for (Subscription subscription : List.copyOf(subscriptions)) {
            if (subscription.token != null && !validToken.test(subscription.token)) {
                subscriptions.remove(subscription);
                if (!subscription.closed) {
                    subscription.fail(Status.UNAUTHENTICATED.withDescription("Session expired or invalid"),
                            "sfdc.platform.eventbus.grpc.service.auth.error");
                    ended++;
                }
            }
        }
        return ended;
    }

    /** Rejects calls without a valid access token, with the error code the client reacts to by logging in again. */
    private final class AuthInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            String token = headers.get(ACCESS_TOKEN);
            if (token == null || !validToken.test(token)) {
                Metadata trailers = new Metadata();
                trailers.put(ERROR_CODE, "sfdc.platform.eventbus.grpc.service.auth.error");
                call.close(Status.UNAUTHENTICATED.withDescription("invalid or missing access token"), trailers);
                return new ServerCall.Listener<>() {
                };
            }
            return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            subscriptions.forEach(Subscription::complete);
            subscriptions.clear();
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    static InputStream truststore() throws IOException {
        InputStream in = PubSubSandbox.class.getResourceAsStream(TRUSTSTORE);
        if (in == null) {
            throw new IOException("missing " + TRUSTSTORE);
        }
        return in;
    }
}
