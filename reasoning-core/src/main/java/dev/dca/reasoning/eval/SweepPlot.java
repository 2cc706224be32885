package dev.dca.reasoning.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Draws accuracy against mean reasoning tokens for a budget sweep (XChart, PNG). */
public final class SweepPlot {

    private SweepPlot() {}

    public static void write(String title, List<Evaluator.Report> reports, Path png) {
        write(title, java.util.Map.of("accuracy", reports), png);
    }

    /** One line per named sweep (e.g. one per strategy), in the map's order; a legend when there are several. */
    public static void write(String title, java.util.Map<String, List<Evaluator.Report>> series, Path png) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("mean reasoning tokens per problem").yAxisTitle("accuracy").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setLegendVisible(series.size() > 1);
        for (var e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(Evaluator.Report::meanReasoningTokens).toArray();
            double[] y = e.getValue().stream().mapToDouble(Evaluator.Report::accuracy).toArray();
            chart.addSeries(e.getKey(), x, y);
        }
        try {
            String name = png.toString();
            BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + png + ": " + e.getMessage(), e);
        }
    }
}
