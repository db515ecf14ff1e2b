namespace Lumen.Zoo.Tests;

/// <summary>The shared-folder lookup used by the CLI's model fallbacks and the benchmarks.</summary>
public class SharedFolderTests
{
    [SharedFact("models/lm")]
    public void Finds_the_shared_folder_beside_the_checkout_for_files_and_folders()
    {
        Assert.Equal(Path.GetFullPath(SharedData.Path("models/lm")), Path.GetFullPath(SharedFolder.Find("models/lm")!));
        Assert.True(File.Exists(SharedFolder.Find("models/lm/stories260K/stories260K.bin")));
    }

    [Fact]
    public void Returns_null_when_nothing_matches() =>
        Assert.Null(SharedFolder.Find("no-such-folder-" + Guid.NewGuid().ToString("N")));
}
