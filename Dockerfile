# Mintline node image. Build: docker build -t mintline:dev .
# Stage 1 builds the shaded jar and a jlink'd Java runtime; stage 2 is Node.js (the Solidity
# compiler solc-js runs in it) plus that runtime, the jar and the npm packages, as a non-root user.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY config/pom.xml config/
COPY contracts/pom.xml contracts/
COPY deploy/pom.xml deploy/
COPY devnet/pom.xml devnet/
COPY engine/pom.xml engine/
COPY http-api/pom.xml http-api/
COPY bench/pom.xml bench/
COPY config/src config/src
COPY contracts/src contracts/src
COPY deploy/src deploy/src
COPY devnet/src devnet/src
COPY engine/src engine/src
COPY http-api/src http-api/src
RUN mvn -B -q -DskipTests package -pl http-api -am
# A small runtime: the modules the node uses, plus jdk.jfr (Akka's flight recorder events) and
# jdk.httpserver (Kamon's Prometheus module links against it), jdk.attach (Kamon's Kanela self-attach).
RUN jlink --add-modules java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.unsupported,jdk.crypto.ec,jdk.jfr,jdk.httpserver,jdk.attach,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.zipfs \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output /opt/jre

FROM node:22-bookworm-slim AS npm
WORKDIR /opt/mintline
COPY package.json package-lock.json ./
# No install scripts: nothing downloads binaries; solc-js carries its compiler as wasm.
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM node:22-bookworm-slim
RUN groupadd --system --gid 10001 mintline && useradd --system --uid 10001 --gid mintline --home-dir /opt/mintline mintline
COPY --from=build /opt/jre /opt/jre
COPY --from=npm /opt/mintline/node_modules /opt/mintline/node_modules
COPY --from=npm /opt/mintline/package.json /opt/mintline/package-lock.json /opt/mintline/
COPY --from=build /src/http-api/target/mintline-node.jar /opt/mintline/mintline-node.jar
RUN mkdir -p /opt/mintline/data && chown -R mintline:mintline /opt/mintline/data
ENV PATH="/opt/jre/bin:${PATH}" \
    MINTLINE_DATA_DIR=/opt/mintline/data \
    MINTLINE_LOG_FORMAT=json \
    MINTLINE_MANAGEMENT_BIND_HOST=0.0.0.0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
WORKDIR /opt/mintline
USER 10001:10001
# HTTP API, akka-management (/ready, /alive, /metrics, admin /cluster), Akka remoting (artery).
EXPOSE 8080 8558 25520
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8558/alive').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/mintline/mintline-node.jar"]
