package io.mintline.contracts.audit;

import java.util.Locale;

/** The DASP-10 classes a finding belongs to; {@link #wireName()} is the name in reports. */
public enum Category {
  ACCESS_CONTROL,
  ARITHMETIC,
  BAD_RANDOMNESS,
  DENIAL_OF_SERVICE,
  FRONT_RUNNING,
  REENTRANCY,
  SHORT_ADDRESSES,
  TIME_MANIPULATION,
  UNCHECKED_LOW_LEVEL_CALLS,
  OTHER;

  /** {@code access_control}, {@code unchecked_low_level_calls}, ... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The category of this wire name, or an exception naming it. */
  public static Category ofWireName(String name) {
    for (Category c : values()) if (c.wireName().equals(name)) return c;
    throw new IllegalArgumentException("unknown DASP category: " + name);
  }
}
