# Production image: the app only. Build: docker build -t calendly-slices .
# Run:   docker run -p 8080:8080 -e DATABASE_URL=postgres://... -e USE_REAL_CALENDLY=true ... calendly-slices
# Migrations run at startup (under an advisory lock); `dotnet App.dll migrate` runs them alone (fly.toml's release step).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# npm restores htmx at build (package-lock.json pins it); nothing third-party is committed.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/App/App.csproj src/App/
RUN dotnet restore src/App/App.csproj
COPY db/ db/
COPY src/App/ src/App/
RUN dotnet publish src/App/App.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_ENVIRONMENT=Production \
    PORT=8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "App.dll"]
