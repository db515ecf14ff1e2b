using Lumen.Attribution.Perturbation.Incremental;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Perturbation;

/// <summary>The crops and pastes of incremental occlusion on hand-checked 2-channel cases: overlap in image
/// coordinates, stacked blocks, and the ring around a hole.</summary>
public class RegionCopyTests
{
    // [1, 2, 3, 4]: channel c, row y, column x holds 100·c + 10·y + x
    private static Tensor Source()
    {
        var t = Tensor.Zeros(1, 2, 3, 4);
        var s = t.AsSpan();
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++) s[(c * 3 + y) * 4 + x] = 100 * c + 10 * y + x;
        return t;
    }

    [Fact]
    public void Overlay_copies_only_the_overlap_in_image_coordinates()
    {
        // a 3×3 window at image (−1, 2): its row 0 and column 2 lie outside the 3×4 source
        var target = Tensor.Full(new Shape(1, 2, 3, 3), -1f);
        RegionCopy.Overlay(Patch.Whole(Source(), 0), new Patch(target, 0, 0, 0, 3, 3, -1, 2));
        float[] expected =
        [
            -1, -1, -1, 2, 3, -1, 12, 13, -1,
            -1, -1, -1, 102, 103, -1, 112, 113, -1,
        ];
        Assert.Equal(expected, target.AsReadOnlySpan().ToArray());
    }

    [Fact]
    public void Overlay_places_a_block_of_a_stacked_tensor()
    {
        // a stack [1, 2, 4, 2] of two 2×2 blocks; block 1 (rows 2–3) stands for image rectangle (1, 2)
        var target = Tensor.Zeros(1, 2, 4, 2);
        RegionCopy.Overlay(Patch.Whole(Source(), 0), new Patch(target, 0, 2, 0, 2, 2, 1, 2));
        float[] expected = [0, 0, 0, 0, 12, 13, 22, 23, 0, 0, 0, 0, 112, 113, 122, 123];
        Assert.Equal(expected, target.AsReadOnlySpan().ToArray());
    }

    [Fact]
    public void OverlayAround_leaves_the_hole_untouched()
    {
        // the whole 3×4 source around the hole at (1, 1) of size 1×2
        var target = Tensor.Full(new Shape(1, 2, 3, 4), -1f);
        RegionCopy.OverlayAround(Patch.Whole(Source(), 0), Patch.Whole(target, 0), new Rect(1, 1, 1, 2));
        float[] expected =
        [
            0, 1, 2, 3, 10, -1, -1, 13, 20, 21, 22, 23,
            100, 101, 102, 103, 110, -1, -1, 113, 120, 121, 122, 123,
        ];
        Assert.Equal(expected, target.AsReadOnlySpan().ToArray());
    }
}
