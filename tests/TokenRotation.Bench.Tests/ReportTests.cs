using TokenRotation.Bench;

namespace TokenRotation.Bench.Tests;

/// <summary>results.md holds the scale benchmark's tables and the chaos soak's figures; a scale run replaces only its own.</summary>
public sealed class ReportTests
{
    [Fact]
    public void A_scale_run_keeps_the_soak_section_of_the_file_it_replaces()
    {
        const string Old = "# Scale benchmark results\n\nold tables\n\n## Chaos soak\n\nsoak: 30 days, 13 connections\n";
        const string New = "# Scale benchmark results\n\nnew tables\n";

        var written = Report.KeepingSoakSection(New, Old);

        Assert.Equal("# Scale benchmark results\n\nnew tables\n\n## Chaos soak\n\nsoak: 30 days, 13 connections\n", written);
        Assert.DoesNotContain("old tables", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("# Scale benchmark results\n\nold tables without a soak part\n")]
    public void Without_a_soak_section_the_scale_tables_are_written_alone(string? existing)
    {
        Assert.Equal("new\n", Report.KeepingSoakSection("new\n", existing));
    }
}
