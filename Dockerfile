# K2 daemon image for production mode (external Redpanda/Kafka, ClickHouse over HTTP, S3/MinIO,
# PostgreSQL); docs/deploy.md. The target architecture (BuildKit's TARGETARCH; without BuildKit, the
# build machine's) picks the .NET runtime identifier, so the image holds only its own native libraries.
#
# Not included: the embedded ClickHouse library (libchdb, ~570 MB). It serves only the embedded default
# mode, which runs from a checkout with ./k2 run; in the image the daemon reaches a ClickHouse server over
# HTTP, and Modules:ClickHouse:Mode=Embedded fails at start naming the missing library.
#
# The tests replay this build stage, its COPY and RUN lines as written but for the publish folder /app
# (DockerImagePublishTests).
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
ARG TARGETARCH
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props K2.Monolith.sln ./
COPY K2.Daemon/K2.Daemon.csproj K2.Daemon/
COPY K2.Modules/ K2.Modules/
# The repository treats warnings as errors; here a new NuGet advisory (NU1901-NU1904) or a new analyzer
# warning is reported and does not fail the image. CI keeps failing on them.
RUN RID="linux-$(echo "${TARGETARCH:-$(dpkg --print-architecture)}" | sed 's/^amd64$/x64/')" && dotnet restore K2.Daemon/K2.Daemon.csproj -r "${RID}" -p:TreatWarningsAsErrors=false
COPY K2.Daemon/ K2.Daemon/
COPY appsettings.json instruments.yaml ./
RUN RID="linux-$(echo "${TARGETARCH:-$(dpkg --print-architecture)}" | sed 's/^amd64$/x64/')" && dotnet publish K2.Daemon/K2.Daemon.csproj -c Release -r "${RID}" --self-contained false --no-restore -p:UseAppHost=false -p:TreatWarningsAsErrors=false -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/k2 --create-home k2
COPY --from=build /app /app
ENV K2_HOME=/app \
    K2__Storage__DataDir=/var/lib/k2 \
    K2__Observability__Listen=0.0.0.0:9464
USER k2
WORKDIR /var/lib/k2
VOLUME ["/var/lib/k2"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["dotnet", "/app/k2.dll"]
CMD ["run"]
