using Lumen.Attribution.Cam;
using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Attribution.Perturbation;
using Lumen.Attribution.Propagation;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary><see cref="MethodSettings"/> (text → options), the catalog's options-aware factory and listings.</summary>
public class MethodSettingsTests
{
    private static readonly Tensor Input = Tensor.Rand(new Shape(2, 2, 6, 6), seed: 11, low: -1f, high: 1f);
    private static readonly Tensor Image = Tensor.Rand(new Shape(1, 2, 16, 16), seed: 12, low: -1f, high: 1f);
    private static readonly Target Target = Target.Classes([1, 0]);

    private static float[] Map(string method, Tensor input, Target target, params string[] settings)
    {
        var model = new CatalogTheoryTests.TheoryNet(reuseRelu: false);
        return KnownAttributionMethods.Find(method).Create(model, MethodSettings.Parse(settings)).Explain(input, target).Map.ToArray();
    }

    private static float[] Map(string method, params string[] settings) => Map(method, Input, Target, settings);

    // ---- parsing of every supported type ----

    [Theory]
    [InlineData(typeof(int), "42", 42)]
    [InlineData(typeof(int), " -3 ", -3)]
    [InlineData(typeof(long), "512M", 512L << 20)]
    [InlineData(typeof(long), "2g", 2L << 30)]
    [InlineData(typeof(long), "1000", 1000L)]
    [InlineData(typeof(float), "0.25", 0.25f)]
    [InlineData(typeof(double), "1e-3", 1e-3)]
    [InlineData(typeof(bool), "true", true)]
    [InlineData(typeof(bool), "No", false)]
    [InlineData(typeof(bool), "on", true)]
    [InlineData(typeof(bool), "0", false)]
    [InlineData(typeof(string), "layer4.1.conv2", "layer4.1.conv2")]
    public void Scalars_parse(Type type, string text, object expected) => Assert.Equal(expected, OptionText.Parse(type, text, null));

    [Theory]
    [InlineData("riemann-left", Quadrature.RiemannLeft)]
    [InlineData("RiemannTrapezoid", Quadrature.RiemannTrapezoid)]
    [InlineData("GAUSS_LEGENDRE", Quadrature.GaussLegendre)]
    public void Enums_parse_by_name_in_any_case_with_or_without_dashes(string text, Quadrature expected) =>
        Assert.Equal(expected, OptionText.Parse(typeof(Quadrature), text, null));

    [Fact]
    public void Nullable_values_take_auto_for_null()
    {
        Assert.Null(OptionText.Parse(typeof(int?), "auto", 4));
        Assert.Equal(4, OptionText.Parse(typeof(int?), "4", null));
        Assert.Null(OptionText.Parse(typeof(string), "AUTO", "conv1"));
    }

    [Theory]
    [InlineData("8", new[] { 8, 8 })]
    [InlineData("8x4", new[] { 8, 4 })]
    [InlineData("8,4", new[] { 8, 4 })]
    [InlineData("3×5", new[] { 3, 5 })]
    public void Int_arrays_fill_a_single_value_to_the_current_length(string text, int[] expected) =>
        Assert.Equal(expected, (int[])OptionText.Parse(typeof(int[]), text, new[] { 16, 16 })!);

    [Fact]
    public void Double_lists_parse() =>
        Assert.Equal([0.05, 0.1, 0.2], (IReadOnlyList<double>)OptionText.Parse(typeof(IReadOnlyList<double>), "0.05, 0.1,0.2", null)!);

    [Fact]
    public void Baselines_parse_to_the_factories_values()
    {
        Assert.Equal(Baseline.Zero, OptionText.Parse(typeof(Baseline), "zero", null));
        Assert.Equal(Baseline.Constant(0.5f), OptionText.Parse(typeof(Baseline), "constant:0.5", null));
        Assert.Equal(Baseline.Blurred(4), OptionText.Parse(typeof(Baseline), "Blur:4", null));
        Assert.Equal(Baseline.Blurred(10), OptionText.Parse(typeof(Baseline), "blur", null));
        Assert.Equal(Baseline.UniformNoise(), OptionText.Parse(typeof(Baseline), "uniform", null));
        Assert.Equal(Baseline.UniformNoise(-1, 1, 3), OptionText.Parse(typeof(Baseline), "uniform:-1:1:3", null));
        Assert.Equal(Baseline.Distribution(3), (IReadOnlyList<Baseline>)OptionText.Parse(typeof(IReadOnlyList<Baseline>), "distribution:3", null)!);
        Assert.Equal([Baseline.Zero, Baseline.Constant(1)], (IReadOnlyList<Baseline>)OptionText.Parse(typeof(IReadOnlyList<Baseline>), "zero,constant:1", null)!);
    }

    [Fact]
    public void Masks_attribution_targets_and_composites_parse()
    {
        Assert.Equal(FeatureMask.Grid(16), OptionText.Parse(typeof(FeatureMask), "grid:16", null));
        Assert.Equal(FeatureMask.Grid(16, 8), OptionText.Parse(typeof(FeatureMask), "grid:16x8", null));
        Assert.Equal(FeatureMask.Slic(50), OptionText.Parse(typeof(FeatureMask), "slic:50", null));
        Assert.Equal(FeatureMask.Slic(50, 20), OptionText.Parse(typeof(FeatureMask), "slic:50:20", null));
        Assert.Equal(FeatureMask.Pixels, OptionText.Parse(typeof(FeatureMask), "pixels", null));
        Assert.Equal(FeatureMask.Elements, OptionText.Parse(typeof(FeatureMask), "elements", null));
        Assert.Equal(AttributeTo.Input, OptionText.Parse(typeof(AttributeTo), "input", null));
        Assert.Equal(AttributeTo.Layer("conv1"), OptionText.Parse(typeof(AttributeTo), "layer:conv1", null));
        Assert.Equal("epsilon-plus", ((Composite)OptionText.Parse(typeof(Composite), "Epsilon-Plus", null)!).Name);
    }

    [Theory]
    [InlineData(typeof(int), "4.5")]
    [InlineData(typeof(int), "")]
    [InlineData(typeof(int?), "")]
    [InlineData(typeof(float), "NaN")]
    [InlineData(typeof(double), "inf")]
    [InlineData(typeof(bool), "maybe")]
    [InlineData(typeof(Quadrature), "simpson")]
    [InlineData(typeof(Quadrature), "3")]
    [InlineData(typeof(int[]), "8x")]
    [InlineData(typeof(Baseline), "gaussian")]
    [InlineData(typeof(Baseline), "constant")]
    [InlineData(typeof(FeatureMask), "grid")]
    [InlineData(typeof(FeatureMask), "hexagons:4")]
    [InlineData(typeof(AttributeTo), "layer:")]
    [InlineData(typeof(Composite), "alpha-beta")]
    public void Malformed_values_are_refused(Type type, string text) =>
        Assert.ThrowsAny<FormatException>(() => OptionText.Parse(type, text, new[] { 16, 16 }));

    [Fact]
    public void Every_format_parses_back_to_an_equal_value()
    {
        object?[] values = [3, 5L, 0.1f, 1e-3, true, Quadrature.RiemannMiddle, "conv1", null, new[] { 8, 4 }, (IReadOnlyList<double>)[0.1, 0.2],
            Baseline.Constant(-0.25f), Baseline.Blurred(3.5f), Baseline.UniformNoise(-1, 1, 4), FeatureMask.Grid(4, 2), FeatureMask.Slic(30, 5), FeatureMask.Pixels,
            AttributeTo.Layer("relu1"), AttributeTo.Input];
        Type[] types = [typeof(int), typeof(long), typeof(float), typeof(double), typeof(bool), typeof(Quadrature), typeof(string), typeof(int?), typeof(int[]), typeof(IReadOnlyList<double>),
            typeof(Baseline), typeof(Baseline), typeof(Baseline), typeof(FeatureMask), typeof(FeatureMask), typeof(FeatureMask), typeof(AttributeTo), typeof(AttributeTo)];
        for (int i = 0; i < values.Length; i++)
        {
            var back = OptionText.Parse(types[i], OptionText.Format(values[i])!, null);
            if (values[i] is System.Collections.IEnumerable list and not string) Assert.Equal(list, (System.Collections.IEnumerable)back!);
            else Assert.Equal(values[i], back);
        }
        Assert.Equal("epsilon-plus-flat", OptionText.Format(Composites.EpsilonPlusFlat()));
        Assert.Null(OptionText.Format(Baseline.Of(Tensor.Zeros(1))));
    }

    [Theory]
    [InlineData("MemoryBudgetBytes", "memory-budget-bytes")]
    [InlineData("Steps", "steps")]
    [InlineData("NoiseRelativeToRange", "noise-relative-to-range")]
    public void Property_names_become_kebab_case(string pascal, string kebab) => Assert.Equal(kebab, OptionText.Kebab(pascal));

    // ---- assignments: names, canonical form, errors ----

    [Fact]
    public void Aliases_and_any_casing_resolve_to_the_catalog_and_kebab_names()
    {
        var settings = MethodSettings.Parse(["IG.Steps=7", "integrated-gradients.MULTIPLY-BY-INPUTS = false", "occ.window=4"]);
        Assert.Equal(["integrated-gradients.steps=7", "integrated-gradients.multiply-by-inputs=false", "occlusion.window=4"], settings.Items.Select(s => s.ToString()));
        Assert.Equal(["integrated-gradients", "occlusion"], settings.Methods);
        Assert.Equal(2, settings.For("integrated-gradients").Count);
    }

    [Fact]
    public void Option_aliases_resolve_to_the_option_and_are_listed()
    {
        var settings = MethodSettings.Parse(["smooth-grad.sigma=0.1", "noise-tunnel.nt_samples=3"]);
        Assert.Equal(["smooth-grad.noise-level=0.1", "smooth-grad.samples=3"], settings.Items.Select(s => s.ToString()));
        Assert.Equal(Map("smooth-grad", "smooth-grad.noise-level=0.1", "smooth-grad.samples=3"), Map("smooth-grad", "smooth-grad.sigma=0.1", "smooth-grad.n=3"));
        var noise = KnownAttributionMethods.Find("var-grad").Options.List().Single(o => o.Name == "noise-level");
        Assert.Equal(["sigma", "stdevs"], noise.Aliases);
        Assert.True(noise.IsNamed("Sigma") && noise.IsNamed("NoiseLevel") && !noise.IsNamed("noise"));
    }

    [Fact]
    public void The_last_value_of_an_option_wins()
    {
        var settings = MethodSettings.Parse(["ig.steps=7", "ig.steps=9"]);
        Assert.Equal("integrated-gradients.steps=9", Assert.Single(settings.Items).ToString());
        Assert.True(MethodSettings.Parse([]).IsEmpty);
    }

    [Fact]
    public void Settings_reach_the_options_record_as_if_written_in_code()
    {
        var model = new CatalogTheoryTests.TheoryNet(reuseRelu: false);
        var bound = KnownAttributionMethods.Create("ig", model, MethodSettings.Parse(["ig.steps=7", "ig.quadrature=riemann-left", "ig.baseline=constant:0.25", "ig.batch-size=3"]));
        var coded = new IntegratedGradients(model, new() { Steps = 7, Quadrature = Quadrature.RiemannLeft, Baseline = Baseline.Constant(0.25f), BatchSize = 3 });
        Assert.Equal(coded.Explain(Input, Target).Map.ToArray(), bound.Explain(Input, Target).Map.ToArray());
        var nested = KnownAttributionMethods.Create("score-cam", model, MethodSettings.Parse(["score-cam.layer=relu1", "score-cam.relu=false"]));
        var nestedCoded = new ScoreCam(model, new() { Cam = new() { Layer = "relu1", Relu = false } });
        Assert.Equal(nestedCoded.Explain(Input, Target).Map.ToArray(), nested.Explain(Input, Target).Map.ToArray());
        Assert.Equal(new ScoreCam(model).Explain(Input, Target).Map.ToArray(), KnownAttributionMethods.Create("score-cam", model).Explain(Input, Target).Map.ToArray());
    }

    [Theory]
    [InlineData("telepathy.steps=3", "telepathy", "integrated-gradients")]
    [InlineData("ig.stepz=3", "no option 'stepz'", "steps (int, default 50)")]
    [InlineData("ig.steps=many", "cannot read 'many' as int", "quadrature (")]
    [InlineData("ig.steps=0", "out of range, steps must be ≥ 1", "integrated-gradients.steps=0")]
    [InlineData("rise.probability=1.5", "probability must be in [0, 1]", "masks (int, default 1000)")]
    [InlineData("occlusion.window=0x8", "window must be ≥ 1", "strides (int[]")]
    [InlineData("extremal.areas=0.1,0", "areas must be in (0, 1]", "steps (int, default 300)")]
    [InlineData("mp.learning-rate=0", "learning-rate must be > 0", "game (deletion|preservation, default deletion)")]
    [InlineData("ig.quadrature=simpson", "riemann-left|riemann-right", "'simpson'")]
    [InlineData("ig.steps", "expected METHOD.OPTION=VALUE", "ig.steps")]
    [InlineData("steps=4", "expected METHOD.OPTION=VALUE", "steps=4")]
    [InlineData("guided-backprop.steps=4", "guided-backprop has no option 'steps'", "no settable options")]
    [InlineData("kernel-shap.kernel=shapley", "no option 'kernel'", "samples (int, default 200)")]
    [InlineData("smooth-grad.sigma=-1", "smooth-grad.noise-level=-1: out of range", "noise-level or sigma or stdevs (float, default 0.15)")]
    public void A_bad_setting_is_refused_naming_method_option_value_and_the_options(string assignment, string expected, string alsoExpected)
    {
        var error = Assert.Throws<ArgumentException>(() => MethodSettings.Parse([assignment]));
        Assert.Contains(expected, error.Message);
        Assert.Contains(alsoExpected, error.Message);
    }

    [Fact]
    public void A_setting_the_constructor_refuses_is_reported_with_every_setting_of_the_method()
    {
        var settings = MethodSettings.Parse(["ig.adaptive-steps=true", "ig.steps=2"]);
        var error = Assert.Throws<ArgumentException>(() => KnownAttributionMethods.Create("ig", new CatalogTheoryTests.TheoryNet(false), settings));
        Assert.Contains("integrated-gradients.adaptive-steps=true, integrated-gradients.steps=2", error.Message);
        Assert.Contains("Steps ≥ 3", error.Message);
    }

    [Fact]
    public void A_setting_for_a_method_that_does_not_run_is_refused()
    {
        var settings = MethodSettings.Parse(["occlusion.window=4"]);
        settings.RequireAmong(["occlusion", "saliency"]);
        var error = Assert.Throws<ArgumentException>(() => settings.RequireAmong(["saliency"]));
        Assert.Contains("occlusion.window=4", error.Message);
        Assert.Contains("saliency", error.Message);
    }

    // ---- a setting changes the result, one method per family ----

    [Fact]
    public void Gradient_ig_steps_and_smooth_grad_samples_change_the_map()
    {
        Assert.NotEqual(Map("ig", "ig.steps=2", "ig.quadrature=riemann-left"), Map("ig", "ig.steps=50", "ig.quadrature=riemann-left"));
        Assert.NotEqual(Map("smooth-grad", "smooth-grad.samples=2"), Map("smooth-grad", "smooth-grad.samples=3"));
        Assert.NotEqual(Map("smooth-grad"), Map("smooth-grad", "smooth-grad.absolute=false")); // the inner Saliency's option
    }

    [Fact]
    public void Cam_layer_changes_the_map() => Assert.NotEqual(Map("grad-cam"), Map("grad-cam", "grad-cam.layer=relu1"));

    [Fact]
    public void Propagation_composite_and_baseline_change_the_map()
    {
        Assert.NotEqual(Map("lrp"), Map("lrp", "lrp.composite=epsilon"));
        Assert.NotEqual(Map("deep-lift"), Map("deep-lift", "deep-lift.baseline=constant:0.5"));
    }

    [Fact]
    public void Perturbation_window_and_mask_change_the_map()
    {
        var single = Target.Class(1);
        Assert.NotEqual(Map("occlusion", Image, single, "occlusion.window=8"), Map("occlusion", Image, single, "occlusion.window=16"));
        Assert.NotEqual(Map("feature-ablation", Image, single, "feature-ablation.mask=grid:4"), Map("feature-ablation", Image, single, "feature-ablation.mask=grid:8"));
        Assert.NotEqual(Map("lime", Image, single, "lime.samples=20"), Map("lime", Image, single, "lime.samples=30"));
    }

    // ---- the whole catalog ----

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var info in KnownAttributionMethods.All) data.Add(info.Name);
        return data;
    }

    /// <summary>Every entry lists its options (or is one of the methods without any) and accepts each listed
    /// option at its listed default, with the same result as the defaults.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_listed_option_set_to_its_default_reproduces_the_default_map(string name)
    {
        var info = KnownAttributionMethods.Find(name);
        var options = info.Options.List();
        string[] withoutOptions = ["guided-backprop", "deconvolution", "edge-detector"];
        Assert.Equal(withoutOptions.Contains(name), options.Count == 0);
        Assert.All(options, o => Assert.False(string.IsNullOrWhiteSpace(o.Type) || string.IsNullOrWhiteSpace(o.Default), $"{name}.{o.Name}"));
        var settings = MethodSettings.Parse(options.Select(o => $"{name}.{o.Name}={o.Default}"));
        Assert.Equal(options.Count, settings.Items.Count);
        Assert.Equal(Map(name), Map(name, [.. options.Select(o => $"{name}.{o.Name}={o.Default}")]));
    }

    [Fact]
    public void Defaults_that_depend_on_a_scope_are_read_when_the_method_is_built()
    {
        using (Batching.UseDefaultBudget(12345))
            Assert.Equal("12345", KnownAttributionMethods.Find("ig").Options.List().Single(o => o.Name == "memory-budget-bytes").Default);
        Assert.NotEqual("12345", KnownAttributionMethods.Find("ig").Options.List().Single(o => o.Name == "memory-budget-bytes").Default);
    }
}
