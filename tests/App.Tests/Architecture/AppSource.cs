namespace App.Tests.Architecture;

/// <summary>The app's source tree (src/App), found above the test's output directory, for checks that read source text.</summary>
public static class AppSource
{
    public static readonly string Directory = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var app = Path.Combine(directory.FullName, "src", "App");
            if (File.Exists(Path.Combine(app, "App.csproj"))) return app;
        }
        throw new DirectoryNotFoundException($"No src/App above {AppContext.BaseDirectory}.");
    }
}
