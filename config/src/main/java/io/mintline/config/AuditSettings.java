package io.mintline.config;

import com.typesafe.config.Config;

/**
 * The audit log's bounds.
 *
 * @param signatureQueue signature rows that may wait for the audit writer at once
 */
public record AuditSettings(int signatureQueue) {
  public static AuditSettings load(Config config) {
    return new AuditSettings(new MintlineSettings.Reader(config).intInRange("mintline.audit.signature-queue", 1_000, 10_000_000));
  }
}
