# K2 daemon image for production mode (external Redpanda/Kafka, ClickHouse over HTTP, S3/MinIO,
# PostgreSQL). The embedded ClickHouse library is not included: it is ~570 MB and only serves the
# embedded default mode, which runs from a checkout with ./k2 run.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props K2.Monolith.sln ./
COPY K2.Daemon/K2.Daemon.csproj K2.Daemon/
COPY K2.Modules/ K2.Modules/
RUN dotnet restore K2.Daemon/K2.Daemon.csproj
COPY K2.Daemon/ K2.Daemon/
COPY appsettings.json instruments.yaml ./
RUN dotnet publish K2.Daemon/K2.Daemon.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
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
