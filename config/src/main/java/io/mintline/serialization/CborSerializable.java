package io.mintline.serialization;

/**
 * Marker for every message, event and state that crosses the cluster or lands in the journal.
 * Bound to Akka's jackson-cbor serializer in this module's {@code reference.conf}; Java records are
 * fine (Jackson 2.19 line).
 */
public interface CborSerializable {}
