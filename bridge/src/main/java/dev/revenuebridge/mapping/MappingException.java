package dev.revenuebridge.mapping;

/** A mapping file that cannot be used: names the file, the entry and field, and why. */
public class MappingException extends RuntimeException {

    public MappingException(String file, String field, String reason) {
        super("mappings/" + file + ": " + field + " " + reason);
    }
}
