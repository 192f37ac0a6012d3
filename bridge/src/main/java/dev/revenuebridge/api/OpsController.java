package dev.revenuebridge.api;

import dev.revenuebridge.deadletter.DeadLetterReplay;
import dev.revenuebridge.trace.DeadLetters;

import dev.revenuebridge.trace.DealExceptions;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The ops API: dead letters (list, replay, discard) and business exceptions. */
@RestController
@RequestMapping("/api")
public class OpsController {

    /** Why a dead letter is discarded; who discards it is the signed-in operator. */
    public record Discard(String reason) {
    }

    private final DeadLetters deadLetters;
    private final DeadLetterReplay replay;
    private final DealExceptions exceptions;

    public OpsController(DeadLetters deadLetters, DeadLetterReplay replay, DealExceptions exceptions) {
        this.deadLetters = deadLetters;
        this.replay = replay;
        this.exceptions = exceptions;
    }

    @GetMapping("/dead-letters")
    public List<DeadLetters.DeadLetter> deadLetters(@RequestParam(required = false, defaultValue = "open") String status) {
        return deadLetters.list("all".equals(status) ? null : status);
    }

    @PostMapping("/dead-letters/{id}/replay")
    public ResponseEntity<DeadLetterReplay.Outcome> replay(@PathVariable long id, java.security.Principal operator) {
        var outcome = replay.replay(id, operator.getName());
        return ResponseEntity.status(outcome.done() ? HttpStatus.ACCEPTED
                : deadLetters.find(id).isEmpty() ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT).body(outcome);
    }

    @PostMapping("/dead-letters/{id}/discard")
    public ResponseEntity<DeadLetterReplay.Outcome> discard(@PathVariable long id, @RequestBody(required = false) Discard body,
                                                           java.security.Principal operator) {
        var outcome = replay.discard(id, body == null ? null : body.reason(), operator.getName());
        return ResponseEntity.status(outcome.done() ? HttpStatus.OK
                : deadLetters.find(id).isEmpty() ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT).body(outcome);
    }

    @GetMapping("/exceptions")
    public List<DealExceptions.DealException> exceptions(@RequestParam(required = false, defaultValue = "open") String status) {
        return exceptions.list("all".equals(status) ? null : status);
    }

    @GetMapping("/dead-letters/{id}")
    public ResponseEntity<?> deadLetter(@PathVariable long id) {
        return deadLetters.find(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no dead letter " + id)));
    }
}
