namespace Lumen.NN.Hooks;

/// <summary>Owns several hook handles (or other disposables) and disposes them together, last first.</summary>
/// <example><code>
/// using var scope = new HookScope();
/// scope.Add(model.Hooks.OnForward("fc1", (x, _) => x * 0f));
/// scope.Add(model.Hooks.OnBackward("fc2", (g, _) => g.Relu()));
/// var loss = model.Call(input).Sum(); loss.Backward();   // hooks are live until the scope ends
/// </code></example>
public sealed class HookScope : IDisposable
{
    private readonly List<IDisposable> handles = [];

    /// <summary>Creates a scope owning <paramref name="handles"/>.</summary>
    public HookScope(params IDisposable[] handles)
    {
        ArgumentNullException.ThrowIfNull(handles);
        foreach (var handle in handles) Add(handle);
    }

    /// <summary>Number of handles owned.</summary>
    public int Count => handles.Count;

    /// <summary>Takes ownership of <paramref name="handle"/> and returns it.</summary>
    public T Add<T>(T handle) where T : IDisposable
    {
        ArgumentNullException.ThrowIfNull(handle);
        handles.Add(handle);
        return handle;
    }

    /// <summary>Disposes every owned handle, last added first.</summary>
    public void Dispose()
    {
        for (int i = handles.Count - 1; i >= 0; i--) handles[i].Dispose();
        handles.Clear();
    }
}
