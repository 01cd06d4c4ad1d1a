package io.mintline.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Roles held by an Algorand k-of-n multisig account ({@code mintline.keys.multisig}, see
 * reference.conf): the members' addresses in order (the order is part of the multisig address) and
 * the threshold. The node's own key of the role must be one of the members; it signs its share and
 * the transaction waits as a proposal until co-signers add theirs.
 *
 * @param deploy the deployment role's multisig, if it is one
 * @param admin the admin role's multisig, if it is one
 * @param validityRounds validity window of a proposal's transaction, in rounds (co-signers are people)
 * @param pollInterval how often a transaction waiting for co-signatures looks at its proposal
 */
public record MultisigSettings(Optional<Account> deploy, Optional<Account> admin, int validityRounds, Duration pollInterval) {

  /** A multisig account: {@code threshold} of {@code members} (addresses, 58 characters each). */
  public record Account(int threshold, List<String> members) {}

  public static MultisigSettings load(Config config) {
    MintlineSettings.Reader r = new MintlineSettings.Reader(config);
    return new MultisigSettings(
        account(r, "mintline.keys.multisig.deploy-keys", "mintline.keys.multisig.deploy-threshold"),
        account(r, "mintline.keys.multisig.admin-keys", "mintline.keys.multisig.admin-threshold"),
        r.intInRange("mintline.keys.multisig.validity-rounds", 10, 1000),
        r.positiveDuration("mintline.keys.multisig.poll-interval"));
  }

  private static Optional<Account> account(MintlineSettings.Reader r, String keysKey, String thresholdKey) {
    String raw = r.string(keysKey).trim();
    if (raw.isEmpty()) return Optional.empty();
    List<String> members = Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String member : members) {
      if (!member.matches("[A-Z2-7]{58}")) {
        throw new SettingsException(keysKey, "Algorand addresses (58 characters A-Z, 2-7), comma-separated", member);
      }
    }
    if (members.size() < 2 || members.size() > 255 || members.stream().distinct().count() != members.size()) {
      throw new SettingsException(keysKey, "2 to 255 distinct member addresses", members.size() + " given");
    }
    int threshold = r.intInRange(thresholdKey, 1, members.size());
    return Optional.of(new Account(threshold, members));
  }
}
