# The bridge's image: the Spring Boot layered jar on a JRE, run as a non-root user (README "Operations > Image").
#   ./mvnw -B package -DskipTests && docker build -t ghcr.io/revenue-bridge/revenue-bridge:0.1.0 .
# Layers change from the least to the most often (dependencies, the loader, snapshot dependencies, the application),
# so a new version of the bridge pushes only its own few hundred kilobytes.
FROM eclipse-temurin:17-jre-jammy AS layers
WORKDIR /build
COPY bridge/target/revenue-bridge-*-exec.jar revenue-bridge.jar
RUN java -Djarmode=tools -jar revenue-bridge.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:17-jre-jammy
# uid and gid 10001: the Deployment's securityContext (runAsUser, runAsGroup) names the same
RUN groupadd --system --gid 10001 bridge && useradd --system --uid 10001 --gid bridge --no-create-home bridge
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# the routes and mappings of this version, for a run without ConfigMaps (Kubernetes mounts its own under /config)
COPY routes/ routes/
COPY mappings/ mappings/
USER 10001:10001
EXPOSE 8080 8081
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
