namespace Lumen.NN.Hooks;

/// <summary>The hooks attached to one module, per kind, in registration order.</summary>
internal sealed class ModuleHooks
{
    private readonly List<HookEntry>[] lists = [[], [], []];

    public int Count => lists.Sum(l => l.Count);

    public void Add(HookEntry entry) => lists[(int)entry.Kind].Add(entry);

    public void Remove(HookEntry entry)
    {
        entry.IsActive = false;
        lists[(int)entry.Kind].Remove(entry);
    }

    /// <summary>The live hooks of one kind, copied so that hooks added or removed during a call do not disturb it.</summary>
    public HookEntry[] Snapshot(HookKind kind) => lists[(int)kind].Count == 0 ? [] : [.. lists[(int)kind]];

    public void Clear()
    {
        foreach (var list in lists)
        {
            foreach (var entry in list) entry.IsActive = false;
            list.Clear();
        }
    }
}
