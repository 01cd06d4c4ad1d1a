package io.mintline.http.ops;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mintline.engine.metrics.MintlineMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The packaging files (Dockerfile, docker-compose.yml, k8s/, Prometheus and Grafana files) against
 * the node they run: every environment variable they set is one the node reads (a {@code ${?VAR}} in
 * a reference.conf or application.conf on its class path, or logback.xml's), every {@code -D} key in
 * JAVA_OPTS is a config path, every port and probe path is the node's, and every metric an alert or
 * dashboard panel names is one the node exposes. No container engine runs here; this is what can be
 * checked without one (deploy/check-ops.sh runs the real validators).
 */
class DeploymentFilesTest {
  static final Path ROOT = root();
  static final Config NODE = ConfigFactory.load();
  /** Read by the image's entrypoint (sh -c "java $JAVA_OPTS -jar ..."), not by the config. */
  static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS", "PATH");
  static final Set<String> NODE_SERVICES = Set.of("node1", "node2", "node3");

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("docker-compose.yml"))) p = p.getParent();
    assertNotNull(p, "docker-compose.yml not found above " + Path.of("").toAbsolutePath());
    return p;
  }

  /** Every ${?VAR} of the node's config files, and the ${VAR:-default} of its logback.xml. */
  static Set<String> knownVariables() throws IOException {
    Set<String> known = new TreeSet<>();
    Pattern hocon = Pattern.compile("\\$\\{\\?([A-Za-z0-9_]+)}");
    for (String resource : List.of("reference.conf", "application.conf")) {
      Enumeration<URL> urls = DeploymentFilesTest.class.getClassLoader().getResources(resource);
      while (urls.hasMoreElements()) {
        try (InputStream in = urls.nextElement().openStream()) {
          Matcher m = hocon.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          while (m.find()) known.add(m.group(1));
        }
      }
    }
    try (InputStream in = DeploymentFilesTest.class.getClassLoader().getResourceAsStream("logback.xml")) {
      Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+):-").matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      while (m.find()) known.add(m.group(1));
    }
    return known;
  }

  static Object yaml(String relative) throws IOException {
    return new Yaml().load(Files.readString(ROOT.resolve(relative)));
  }

  static List<Map<String, Object>> yamlDocuments(Path file) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(Files.readString(file))) if (doc != null) out.add(map(doc));
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  static int nodeDefault(String path) {
    return NODE.getInt(path);
  }

  static void assertJavaOpts(String where, String javaOpts) {
    for (String option : javaOpts.trim().split("\\s+")) {
      if (option.startsWith("-D")) {
        String key = option.substring(2, option.indexOf('='));
        // seed-nodes.0 = list index: the list path must exist.
        String path = key.replaceAll("\\.\\d+$", "");
        assertTrue(NODE.hasPathOrNull(path), where + ": JAVA_OPTS sets -D" + key + ", which is no config path of the node");
      } else {
        assertTrue(option.startsWith("-X"), where + ": JAVA_OPTS option " + option + " is neither -D nor -X");
      }
    }
  }

  @Test
  void theNodeReadsEveryVariableTheFilesSet() throws IOException {
    Set<String> known = knownVariables();
    assertTrue(known.containsAll(Set.of("MINTLINE_DB_URL", "MINTLINE_MANAGEMENT_PORT", "MINTLINE_LOG_LEVEL",
        "AKKA_CLUSTER_BOOTSTRAP_SERVICE_NAME", "MINTLINE_MANAGEMENT_ADMIN_PASSWORD")), known.toString());
    List<String> unknown = new ArrayList<>();

    // Dockerfile ENV
    Matcher env = Pattern.compile("(?m)^\\s*(?:ENV\\s+)?([A-Z][A-Z0-9_]+)=").matcher(envBlock(Files.readString(ROOT.resolve("Dockerfile"))));
    int dockerVars = 0;
    while (env.find()) {
      dockerVars++;
      if (!known.contains(env.group(1)) && !IMAGE_VARIABLES.contains(env.group(1))) unknown.add("Dockerfile: " + env.group(1));
    }
    assertTrue(dockerVars >= 3);

    // docker-compose.yml: the three nodes' environments
    Map<String, Object> services = map(map(yaml("docker-compose.yml")).get("services"));
    assertEquals(Set.of("postgres", "node1", "node2", "node3", "prometheus", "grafana"), services.keySet());
    for (String name : NODE_SERVICES) {
      Map<String, Object> environment = map(map(services.get(name)).get("environment"));
      for (String key : environment.keySet()) {
        if (!known.contains(key) && !IMAGE_VARIABLES.contains(key)) unknown.add("docker-compose.yml " + name + ": " + key);
      }
      assertJavaOpts("docker-compose.yml " + name, String.valueOf(environment.get("JAVA_OPTS")));
    }

    // k8s: the container's env, the ConfigMap's and the Secret's keys (base and overlays)
    try (Stream<Path> files = Files.walk(ROOT.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        for (Map<String, Object> doc : yamlDocuments(file)) {
          String kind = String.valueOf(doc.get("kind"));
          String where = ROOT.relativize(file) + " " + kind;
          if (kind.equals("ConfigMap") || kind.equals("Secret")) {
            Set<String> keys = new HashSet<>(map(doc.get("data")).keySet());
            keys.addAll(map(doc.get("stringData")).keySet());
            for (String key : keys) if (!known.contains(key)) unknown.add(where + ": " + key);
          }
          if (kind.equals("Deployment")) {
            for (Object c : list(map(map(map(map(doc.get("spec")).get("template")).get("spec"))).get("containers"))) {
              for (Object e : list(map(c).get("env"))) {
                String name = String.valueOf(map(e).get("name"));
                if (!known.contains(name) && !IMAGE_VARIABLES.contains(name)) unknown.add(where + ": " + name);
                if (name.equals("JAVA_OPTS")) assertJavaOpts(where, String.valueOf(map(e).get("value")));
              }
            }
          }
        }
      }
    }
    assertEquals(List.of(), unknown, "variables the node never reads (a typo, or a setting that does not exist)");
  }

  /** The ENV instruction of the runtime stage with its continuation lines joined, one VAR=value per line. */
  static String envBlock(String dockerfile) {
    StringBuilder out = new StringBuilder();
    boolean inEnv = false;
    for (String line : dockerfile.split("\n")) {
      if (line.startsWith("ENV ")) inEnv = true;
      if (inEnv) {
        for (String part : line.replaceFirst("^ENV\\s+", "").replace("\\", "").trim().split("\\s+(?=[A-Z][A-Z0-9_]*=)")) {
          out.append(part).append('\n');
        }
        if (!line.trim().endsWith("\\")) inEnv = false;
      }
    }
    return out.toString();
  }

  @Test
  void everyPortAndProbeIsTheNodes() throws IOException {
    int http = nodeDefault("mintline.http.port");
    int management = nodeDefault("akka.management.http.port");
    int remoting = nodeDefault("akka.remote.artery.canonical.port");
    String ready = "/" + NODE.getString("akka.management.health-checks.readiness-path");
    String alive = "/" + NODE.getString("akka.management.health-checks.liveness-path");

    // Dockerfile: EXPOSE and HEALTHCHECK
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
    assertTrue(expose.find());
    assertEquals(Set.of(http, management, remoting), ports(expose.group(1)));
    assertTrue(dockerfile.contains("http://127.0.0.1:" + management + alive), "HEALTHCHECK asks " + alive + " on the management port");
    assertTrue(dockerfile.contains("USER 10001"), "runs as a non-root user");
    assertTrue(dockerfile.contains("jdk.jfr") && dockerfile.contains("jdk.httpserver"), "jlink keeps jdk.jfr and jdk.httpserver");

    // docker-compose.yml: container ports are the ports the node was told to use
    Map<String, Object> services = map(map(yaml("docker-compose.yml")).get("services"));
    for (String name : NODE_SERVICES) {
      Map<String, Object> environment = map(map(services.get(name)).get("environment"));
      int nodeHttp = intOr(environment.get("MINTLINE_HTTP_PORT"), http);
      int nodeManagement = intOr(environment.get("MINTLINE_MANAGEMENT_PORT"), management);
      int nodeRemoting = intOr(environment.get("MINTLINE_REMOTE_PORT"), remoting);
      Set<Integer> allowed = new HashSet<>(Set.of(nodeHttp, nodeManagement));
      if (environment.containsKey("MINTLINE_DEVNET_PORT")) allowed.add(intOr(environment.get("MINTLINE_DEVNET_PORT"), 0));
      for (Object mapping : list(map(services.get(name)).get("ports"))) {
        int container = Integer.parseInt(String.valueOf(mapping).replaceAll(".*:", ""));
        assertTrue(allowed.contains(container), "docker-compose.yml " + name + " publishes " + container + ", not a port the node listens on " + allowed);
      }
      assertEquals("0.0.0.0", environment.get("MINTLINE_MANAGEMENT_BIND_HOST"), name + ": Prometheus must reach the management port");
      Matcher seeds = Pattern.compile("akka://mintline@(\\w+):(\\d+)").matcher(String.valueOf(environment.get("JAVA_OPTS")));
      int seedCount = 0;
      while (seeds.find()) {
        seedCount++;
        assertTrue(NODE_SERVICES.contains(seeds.group(1)), "seed " + seeds.group(1) + " is a node service");
        assertEquals(nodeRemoting, Integer.parseInt(seeds.group(2)), "seed port is the remoting port");
      }
      assertTrue(seedCount >= 1, name + " has seed nodes");
      if (!name.equals("node1")) {
        assertEquals("http://node1:" + intOr(map(map(services.get("node1")).get("environment")).get("MINTLINE_DEVNET_PORT"), -1),
            environment.get("MINTLINE_ALGOD_URL"), name + " uses node 1's devnet");
      }
    }
    // Prometheus scrapes every node's management port, and loads the alert rules the compose file mounts.
    Map<String, Object> prometheus = map(yaml("deploy/prometheus/prometheus.yml"));
    List<Object> targets = list(map(list(map(list(prometheus.get("scrape_configs")).get(0)).get("static_configs")).get(0)).get("targets"));
    assertEquals(Set.of("node1:" + management, "node2:" + management, "node3:" + management), new HashSet<>(targets));
    assertEquals("/metrics", map(list(prometheus.get("scrape_configs")).get(0)).get("metrics_path"));
    assertTrue(list(map(services.get("prometheus")).get("volumes")).toString().contains("deploy/prometheus/alerts.yml:" + list(prometheus.get("rule_files")).get(0)));
    assertTrue(list(map(services.get("grafana")).get("volumes")).toString().contains("./deploy/grafana/dashboards:"));

    // k8s: container ports, probes, Service targets, the scrape annotation
    Map<String, Object> deployment = null;
    Map<String, Object> configMap = null;
    List<Map<String, Object>> servicesK8s = new ArrayList<>();
    for (String f : List.of("deployment.yaml", "configmap.yaml", "service.yaml")) {
      for (Map<String, Object> doc : yamlDocuments(ROOT.resolve("k8s/base/" + f))) {
        switch (String.valueOf(doc.get("kind"))) {
          case "Deployment" -> deployment = doc;
          case "ConfigMap" -> configMap = doc;
          case "Service" -> servicesK8s.add(doc);
          default -> { }
        }
      }
    }
    assertNotNull(deployment);
    assertNotNull(configMap);
    Map<String, Object> data = map(configMap.get("data"));
    Map<String, Object> podSpec = map(map(map(deployment.get("spec")).get("template")).get("spec"));
    Map<String, Object> container = map(list(podSpec.get("containers")).get(0));
    Map<String, Integer> named = new LinkedHashMap<>();
    for (Object p : list(container.get("ports"))) named.put(String.valueOf(map(p).get("name")), (Integer) map(p).get("containerPort"));
    assertEquals(intOr(data.get("MINTLINE_HTTP_PORT"), http), named.get("http"));
    assertEquals(intOr(data.get("MINTLINE_MANAGEMENT_PORT"), management), named.get("management"));
    assertEquals(intOr(data.get("MINTLINE_REMOTE_PORT"), remoting), named.get("remoting"));
    assertEquals("0.0.0.0", data.get("MINTLINE_MANAGEMENT_BIND_HOST"), "probes reach the management port on the pod IP");
    assertEquals("true", data.get("MINTLINE_CLUSTER_BOOTSTRAP"));
    assertEquals("kubernetes-api", data.get("MINTLINE_DISCOVERY_METHOD"));
    assertEquals(ready, map(map(container.get("readinessProbe")).get("httpGet")).get("path"));
    assertEquals(alive, map(map(container.get("livenessProbe")).get("httpGet")).get("path"));
    assertEquals("management", map(map(container.get("readinessProbe")).get("httpGet")).get("port"));
    assertEquals("management", map(map(container.get("livenessProbe")).get("httpGet")).get("port"));
    assertEquals(String.valueOf(named.get("management")),
        map(map(map(map(deployment.get("spec")).get("template")).get("metadata")).get("annotations")).get("prometheus.io/port"));
    for (Map<String, Object> service : servicesK8s) {
      for (Object p : list(map(service.get("spec")).get("ports"))) {
        Object target = map(p).get("targetPort");
        assertTrue(named.containsKey(String.valueOf(target)), "Service targets port " + target + " the container names");
      }
    }
    assertEquals(String.valueOf(map(map(service(servicesK8s, "mintline-management")).get("spec")).get("clusterIP")), "None");
    // Bootstrap's pod lookup uses app=<service name>: the pods carry that label.
    assertEquals(data.get("AKKA_CLUSTER_BOOTSTRAP_SERVICE_NAME"),
        map(map(map(map(deployment.get("spec")).get("template")).get("metadata")).get("labels")).get("app"));
    assertEquals("app=%s", NODE.getString("akka.discovery.kubernetes-api.pod-label-selector"));
  }

  static Map<String, Object> service(List<Map<String, Object>> services, String name) {
    return services.stream().filter(s -> name.equals(map(s.get("metadata")).get("name"))).findFirst().orElseThrow();
  }

  static Set<Integer> ports(String list) {
    Set<Integer> out = new HashSet<>();
    for (String p : list.trim().split("\\s+")) out.add(Integer.parseInt(p));
    return out;
  }

  static int intOr(Object value, int fallback) {
    return value == null ? fallback : Integer.parseInt(String.valueOf(value));
  }

  /** Every name Mintline exposes, with the series Prometheus derives from histograms. */
  static Set<String> exposedMintlineSeries() {
    Set<String> names = new HashSet<>();
    for (MintlineMetrics.Definition d : MintlineMetrics.DEFINITIONS) {
      names.add(d.exposed());
      if (d.type().equals("histogram")) {
        names.add(d.exposed() + "_bucket");
        names.add(d.exposed() + "_count");
        names.add(d.exposed() + "_sum");
      }
    }
    return names;
  }

  @Test
  void theOperationsGuideListsEveryMetricWithItsTypeAndLabels() throws IOException {
    String guide = Files.readString(ROOT.resolve("docs/OPERATIONS.md"));
    Set<String> documented = new HashSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `(mintline_[a-z_]+)` \\| (\\w+) \\| ([^|]+) \\|").matcher(guide);
    while (row.find()) {
      documented.add(row.group(1));
      MintlineMetrics.Definition d = MintlineMetrics.DEFINITIONS.stream().filter(x -> x.exposed().equals(row.group(1)))
          .findFirst().orElseThrow(() -> new AssertionError("docs/OPERATIONS.md lists " + row.group(1) + ", which the facade does not define"));
      assertEquals(d.type(), row.group(2), d.exposed());
      String labels = d.labels().isEmpty() ? "—" : String.join(", ", d.labels().stream().map(l -> "`" + l + "`").toList());
      assertEquals(labels, row.group(3).trim(), d.exposed());
    }
    Set<String> defined = new HashSet<>();
    for (MintlineMetrics.Definition d : MintlineMetrics.DEFINITIONS) defined.add(d.exposed());
    assertEquals(defined, documented, "the table in docs/OPERATIONS.md and MintlineMetrics.DEFINITIONS");
  }

  @Test
  void everyMetricTheAlertsAndTheDashboardNameIsOneTheNodeExposes() throws IOException {
    Set<String> exposed = exposedMintlineSeries();
    Pattern name = Pattern.compile("\\b(mintline_[a-z_]+)\\b");
    String alerts = Files.readString(ROOT.resolve("deploy/prometheus/alerts.yml"));
    String dashboard = Files.readString(ROOT.resolve("deploy/grafana/dashboards/mintline.json"));
    for (String[] file : new String[][] {{"alerts.yml", alerts}, {"mintline.json", dashboard}}) {
      Matcher m = name.matcher(file[1]);
      int found = 0;
      while (m.find()) {
        found++;
        assertTrue(exposed.contains(m.group(1)), file[0] + " names " + m.group(1) + ", which the node does not expose");
      }
      assertTrue(found >= 10, file[0] + " uses Mintline's metrics");
    }
    // The alerts, each with a runbook that exists.
    Map<String, Object> rules = map(new Yaml().load(alerts));
    List<Object> group = list(map(list(rules.get("groups")).get(0)).get("rules"));
    Set<String> alertNames = new HashSet<>();
    for (Object r : group) {
      Map<String, Object> rule = map(r);
      alertNames.add(String.valueOf(rule.get("alert")));
      String runbook = String.valueOf(map(rule.get("annotations")).get("runbook_url")).replaceAll("#.*", "");
      assertTrue(Files.exists(ROOT.resolve(runbook)), rule.get("alert") + ": runbook " + runbook + " exists");
    }
    assertTrue(alertNames.containsAll(Set.of("MintlineHighErrorRate", "MintlineSlowRequests", "MintlineListenerStale",
        "MintlineAlgodDown", "MintlineDeploymentFailed", "MintlineMintingAccountLow", "MintlineKeyTooOld",
        "MintlineNodeUnreachable")), alertNames.toString());
  }
}
