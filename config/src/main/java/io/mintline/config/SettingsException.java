package io.mintline.config;

/** A setting that is missing or has the wrong shape; the message names the key and what was expected. */
public final class SettingsException extends RuntimeException {
  public SettingsException(String key, String expected, Object got) {
    super("Invalid setting '" + key + "': expected " + expected + ", got " + describe(got));
  }

  private static String describe(Object got) {
    return got == null ? "nothing" : "'" + got + "'";
  }
}
