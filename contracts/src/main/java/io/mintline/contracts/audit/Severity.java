package io.mintline.contracts.audit;

/** How bad a finding is, lowest first; the table in docs/AUDIT.md says what earns each level. */
public enum Severity {
  LOW,
  MEDIUM,
  HIGH,
  /** Anyone can destroy the contract, take it over or drain its ether: a deploy is refused until acknowledged. */
  CRITICAL;

  /** SARIF's level for this severity (code-scanning tools know only three). */
  public String sarifLevel() {
    return switch (this) {
      case LOW -> "note";
      case MEDIUM -> "warning";
      case HIGH, CRITICAL -> "error";
    };
  }
}
