package io.mintline.http.ops;

import static akka.http.javadsl.server.Directives.*;

import akka.actor.typed.ActorSystem;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import io.mintline.http.Json;
import io.mintline.http.auth.Principal;
import io.mintline.http.errors.ApiError;
import io.mintline.http.errors.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Admin only: {@code GET /api/v1/admin/cluster}, the cluster's members as this node sees them
 * (address, status, roles, reachability), its leader and this node. The same facts as the management
 * port's {@code /cluster/members}, on the API port, so the web console's operator view can show
 * them from the node's own origin. Callers without the admin role get 403.
 */
public final class ClusterStatusRoutes {
  /** One member. */
  public record MemberView(String address, String status, List<String> roles, String dataCenter, boolean reachable) {}

  /** The cluster as seen from {@code self}. */
  public record ClusterView(String self, String leader, int membersUp, int unreachable, List<MemberView> members) {}

  private final ActorSystem<?> system;
  private final BiFunction<String, Function<Principal, Route>, Route> authenticated;

  public ClusterStatusRoutes(ActorSystem<?> system, BiFunction<String, Function<Principal, Route>, Route> authenticated) {
    this.system = system;
    this.authenticated = authenticated;
  }

  public Route route(String requestId) {
    return pathPrefix("admin", () -> path("cluster", () -> get(() -> authenticated.apply(requestId, principal -> {
      if (principal.roles() == null || !principal.roles().contains("admin")) {
        throw new ApiException(ApiError.FORBIDDEN, "only an admin can read the cluster's members");
      }
      return complete(Json.response(StatusCodes.OK, view()));
    }))));
  }

  private ClusterView view() {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    List<MemberView> members = new ArrayList<>();
    int up = 0;
    for (Member m : state.getMembers()) {
      if (m.status() == akka.cluster.MemberStatus.up()) up++;
      members.add(new MemberView(m.address().toString(), m.status().toString(), List.copyOf(new TreeSet<>(m.getRoles())),
          m.dataCenter(), !unreachable.contains(m)));
    }
    String leader = state.getLeader() == null ? null : state.getLeader().toString();
    return new ClusterView(cluster.selfMember().address().toString(), leader, up, unreachable.size(), members);
  }
}
