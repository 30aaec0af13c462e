# syntax=docker/dockerfile:1

# --- build -------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first (only project/build settings copied) so the package layer is cached
# until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/OrderCore.Api/OrderCore.Api.csproj src/OrderCore.Api/
RUN dotnet restore src/OrderCore.Api/OrderCore.Api.csproj

COPY .editorconfig ./
COPY src/ src/
RUN dotnet publish src/OrderCore.Api/OrderCore.Api.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# --- runtime -----------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .

ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
# Ready = database reachable, migrations applied, delivery worker alive (GET /health/ready). The image has
# no curl: the app itself asks (dotnet OrderCore.Api.dll probe [url]).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["dotnet", "OrderCore.Api.dll", "probe", "http://127.0.0.1:8080/health/ready"]
# Non-root user built into the .NET images (uid 1654).
USER $APP_UID

ENTRYPOINT ["dotnet", "OrderCore.Api.dll"]
