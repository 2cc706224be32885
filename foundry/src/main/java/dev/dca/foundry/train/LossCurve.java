package dev.dca.foundry.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** Writes the training loss (raw and smoothed) as a PNG with XChart. */
public final class LossCurve {
    private LossCurve() {}

    public static void write(Path png, List<Integer> steps, List<Double> losses) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Training loss").xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(0);
        XYSeries raw = chart.addSeries("loss", steps, losses);
        raw.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        List<Double> smooth = new ArrayList<>();
        double ema = losses.isEmpty() ? 0 : losses.getFirst();
        for (double l : losses) smooth.add(ema = 0.9 * ema + 0.1 * l);
        chart.addSeries("smoothed (EMA 0.9)", steps, smooth);
        String file = png.toString();
        BitmapEncoder.saveBitmap(chart, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file, BitmapEncoder.BitmapFormat.PNG);
    }
}
