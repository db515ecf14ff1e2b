namespace Lumen.Tensors.Autograd;

/// <summary>Switches autograd recording on or off for the current thread.</summary>
/// <example><code>using (GradMode.Off()) { var y = model.Call(x); } // nothing is recorded</code></example>
public static class GradMode
{
    [ThreadStatic] private static int disabledDepth;
    [ThreadStatic] private static bool forcedOn;

    /// <summary>True when ops on tensors that require gradients record their backward rule.</summary>
    public static bool IsEnabled => forcedOn || disabledDepth == 0;

    /// <summary>Disables recording until the returned scope is disposed.</summary>
    public static IDisposable Off()
    {
        bool saved = forcedOn;
        forcedOn = false;
        disabledDepth++;
        return new Scope(() => { disabledDepth--; forcedOn = saved; });
    }

    /// <summary>Re-enables recording inside an <see cref="Off"/> scope until disposed.</summary>
    public static IDisposable On()
    {
        bool saved = forcedOn;
        forcedOn = true;
        return new Scope(() => forcedOn = saved);
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        private Action? onDispose = onDispose;

        public void Dispose()
        {
            onDispose?.Invoke();
            onDispose = null;
        }
    }
}
