package io.mintline.http.contract;

import akka.http.javadsl.server.Route;
import io.mintline.http.auth.Principal;
import java.util.function.Supplier;

/**
 * The per-user daily quotas by tier in front of the contract routes: every contract route asks
 * this before it does any work. The node plugs in the edge's {@code Quotas} (compilations and
 * audits (and deployments) counted per wallet and UTC day, {@code 429 quota_exceeded} with when it resets; generating
 * source is free); {@link #ALLOW} lets everything through (tests of the routes alone).
 */
@FunctionalInterface
public interface ContractQuota {
  /** The contract operations a quota counts. */
  enum Operation { GENERATE, COMPILE, AUDIT, DEPLOY }

  Route check(Principal principal, Operation operation, String requestId, Supplier<Route> inner);

  ContractQuota ALLOW = (principal, operation, requestId, inner) -> inner.get();
}
