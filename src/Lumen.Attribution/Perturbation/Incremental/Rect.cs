namespace Lumen.Attribution.Perturbation.Incremental;

/// <summary>A rectangle of the last two axes of an activation.</summary>
internal readonly record struct Rect(int Top, int Left, int Height, int Width)
{
    public int Bottom => Top + Height;

    public int Right => Left + Width;

    /// <summary>The smallest rectangle holding both.</summary>
    public Rect Union(Rect other)
    {
        int top = Math.Min(Top, other.Top), left = Math.Min(Left, other.Left);
        return new Rect(top, left, Math.Max(Bottom, other.Bottom) - top, Math.Max(Right, other.Right) - left);
    }
}
