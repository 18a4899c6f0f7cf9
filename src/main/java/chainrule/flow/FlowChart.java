package chainrule.flow;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.text.DecimalFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The flow as a chart (JFreeChart): per depth, on a logarithmic scale, the accumulated 액·웨 product,
 * the median 액·웨 of the layer and the gradient norm of its parameters. A geometric decay is a
 * straight falling line. Zeros (a dead ReLU) cannot be drawn on a log scale and are left out.
 */
public final class FlowChart {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 440;

    private FlowChart() {}

    /** The chart as an SVG document. */
    public static String svg(List<LayerFlow> layers, String title) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix("flow-"); // instead of a time stamp, so the same input gives the same file
        chart(layers, title).draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g.getSVGDocument() + "\n";
    }

    /** The chart as PNG bytes. */
    public static byte[] png(List<LayerFlow> layers, String title) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            chart(layers, title).draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }

    static JFreeChart chart(List<LayerFlow> layers, String title) {
        XYSeries accumulated = new XYSeries("accumulated act′·weight product (from the loss)");
        XYSeries median = new XYSeries("median act′·weight of the layer");
        XYSeries gradient = new XYSeries("‖∂loss/∂w‖ of the layer's parameters");
        for (LayerFlow l : layers) {
            addPositive(accumulated, l.depth(), l.accumulated());
            if (l.product() != null) {
                addPositive(median, l.depth(), l.product().median());
            }
            if (l.parameters() > 0) {
                addPositive(gradient, l.depth(), l.gradNorm());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(accumulated);
        data.addSeries(median);
        data.addSeries(gradient);

        NumberAxis depth = new NumberAxis("depth (1 = the layer nearest the loss)");
        depth.setTickUnit(new NumberTickUnit(1));
        depth.setAutoRangeIncludesZero(false);
        LogAxis magnitude = new LogAxis("magnitude (log scale)");
        magnitude.setBase(10);
        magnitude.setMinorTickMarksVisible(true);
        // Whole decades around the data, at least two, so a flat series (ReLU: all 1) is readable.
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (XYSeries s : List.of(accumulated, median, gradient)) {
            for (int i = 0; i < s.getItemCount(); i++) {
                low = Math.min(low, s.getY(i).doubleValue());
                high = Math.max(high, s.getY(i).doubleValue());
            }
        }
        if (high > 0) {
            double bottom = Math.floor(Math.log10(low) - 0.01);
            double top = Math.max(Math.ceil(Math.log10(high) + 0.01), bottom + 2);
            magnitude.setRange(Math.pow(10, bottom) * 0.999, Math.pow(10, top) * 1.001); // edge ticks stay drawn
            double decadesPerTick = Math.max(1, Math.ceil((top - bottom) / 12));
            magnitude.setTickUnit(new NumberTickUnit(decadesPerTick, new DecimalFormat("0")));
        }
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        Color[] colours = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};
        for (int i = 0; i < colours.length; i++) {
            lines.setSeriesPaint(i, colours[i]);
            lines.setSeriesStroke(i, new BasicStroke(i == 0 ? 2.5f : 1.5f));
        }
        XYPlot plot = new XYPlot(data, depth, magnitude, lines);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static void addPositive(XYSeries series, int depth, double value) {
        if (value > 0 && Double.isFinite(value)) {
            series.add(depth, value);
        }
    }
}
