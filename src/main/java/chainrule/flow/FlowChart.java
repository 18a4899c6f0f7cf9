package chainrule.flow;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.text.AttributedString;
import java.text.DecimalFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The flow as a chart (JFreeChart): per depth, on a logarithmic scale, the accumulated 액·웨 product,
 * the median 액·웨 of the layer and the gradient norm of its parameters. A geometric decay is a
 * straight falling line.
 *
 * <p>Zeros (a dead ReLU, a saturated sigmoid whose derivative underflowed) have no place on a log
 * scale, and leaving them out would draw a line straight across them, so a dead network would look
 * like a smooth decay. They are drawn at a floor one decade below the smallest nonzero value: the
 * floor is a dashed line, its tick reads 0, and each zero is a point on it that the series' line
 * falls to. Non-finite values are still left out (the table says NaN or ∞).
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
        double smallest = Double.POSITIVE_INFINITY;
        for (LayerFlow l : layers) {
            for (double v : new double[] {l.accumulated(), l.product() == null ? 0 : l.product().median(),
                                          l.parameters() > 0 ? l.gradNorm() : 0}) {
                if (v > 0 && Double.isFinite(v)) {
                    smallest = Math.min(smallest, v);
                }
            }
        }
        double floor = zeroFloor(smallest);
        for (LayerFlow l : layers) {
            add(accumulated, l.depth(), l.accumulated(), floor);
            if (l.product() != null) {
                add(median, l.depth(), l.product().median(), floor);
            }
            if (l.parameters() > 0) {
                add(gradient, l.depth(), l.gradNorm(), floor);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(accumulated);
        data.addSeries(median);
        data.addSeries(gradient);

        NumberAxis depth = new NumberAxis("depth (1 = the layer nearest the loss)");
        depth.setTickUnit(new NumberTickUnit(1));
        depth.setAutoRangeIncludesZero(false);
        boolean zeros = hasZero(layers);
        LogAxis magnitude = zeros ? new FloorAxis("magnitude (log scale; 0 at the floor)", floor)
                : new LogAxis("magnitude (log scale)");
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
            // With zeros the floor is the bottom: nothing is drawn below 0.
            double bottom = zeros ? Math.rint(Math.log10(floor)) : Math.floor(Math.log10(low) - 0.01);
            double top = Math.max(Math.ceil(Math.log10(high) + 0.01), bottom + 2);
            // Edge ticks stay drawn; below a floor of zeros, room for their markers.
            magnitude.setRange(Math.pow(10, bottom) * (zeros ? 0.6 : 0.999), Math.pow(10, top) * 1.001);
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
        if (zeros) {
            ValueMarker marker = new ValueMarker(floor, Color.DARK_GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            marker.setLabel("0 (exact zeros are drawn on this line)");
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            marker.setLabelOffset(new RectangleInsets(4, 4, 4, 4));
            marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            plot.addRangeMarker(marker);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Where zeros are drawn: one decade below the decade of the smallest nonzero value (0.1 if there is none). */
    static double zeroFloor(double smallestNonzero) {
        if (!(smallestNonzero < Double.POSITIVE_INFINITY)) {
            return 0.1;
        }
        return Math.pow(10, Math.floor(Math.log10(smallestNonzero) - 0.01) - 1);
    }

    private static boolean hasZero(List<LayerFlow> layers) {
        for (LayerFlow l : layers) {
            if (l.accumulated() == 0 || l.product() != null && l.product().median() == 0
                    || l.parameters() > 0 && l.gradNorm() == 0) {
                return true;
            }
        }
        return false;
    }

    /** A finite value as itself, zero at the floor; NaN and infinities are left out. */
    private static void add(XYSeries series, int depth, double value, double floor) {
        if (value == 0) {
            series.add(depth, floor);
        } else if (value > 0 && Double.isFinite(value)) {
            series.add(depth, value);
        }
    }

    /** A log axis whose tick at the floor reads 0, where the zeros are drawn. */
    static final class FloorAxis extends LogAxis {
        private final double floor;

        FloorAxis(String label, double floor) {
            super(label);
            this.floor = floor;
        }

        @Override
        protected AttributedString createTickLabel(double value) {
            if (Math.abs(Math.log10(value) - Math.log10(floor)) < 1e-6) {
                AttributedString zero = new AttributedString("0");
                zero.addAttributes(getTickLabelFont().getAttributes(), 0, 1);
                return zero;
            }
            return super.createTickLabel(value);
        }
    }
}
