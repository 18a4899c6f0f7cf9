package chainrule.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;

/**
 * Zeros in the flow chart: a dead ReLU (w5 = -1 in {@code flow/dead-relu.nn}) makes every factor
 * below it exactly 0, which a log axis cannot place. The chart must show them at a floor marked 0,
 * not leave them out (then the median line would run straight from depth 5 to depth 7 across the
 * dead depth 6, and the accumulated line would simply stop, both looking like a smooth decay).
 * The SVG is checked where it is drawn: the series' line segments against the dashed floor line.
 */
class FlowChartTest {
    private static final String DEAD = "src/test/resources/flow/dead-relu.nn";

    /** A line segment of the SVG. */
    record Segment(double x1, double y1, double x2, double y2) {}

    private static final Pattern LINE = Pattern.compile(
            "<line x1='([-0-9.]+)' y1='([-0-9.]+)' x2='([-0-9.]+)' y2='([-0-9.]+)' style='([^']*)'");

    static List<Segment> segments(String svg, String styleFragment) {
        List<Segment> out = new ArrayList<>();
        Matcher m = LINE.matcher(svg);
        while (m.find()) {
            if (m.group(5).contains(styleFragment)) {
                out.add(new Segment(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
            }
        }
        return out;
    }

    @Test
    void zerosOfADeadReluAreDrawnOnTheFloorLineMarkedZero() throws Exception {
        List<LayerFlow> layers = GradientFlowTest.flow(GradientFlowTest.load(DEAD));
        // By hand: h5 = relu(-1) = 0, so relu′ there is 0: depth 6's act′ and every accumulated
        // product from depth 6 down are 0; the parameters w1..w5 get gradient 0.
        for (LayerFlow l : layers) {
            assertEquals(l.depth() >= 6, l.accumulated() == 0, "accumulated at depth " + l.depth());
        }
        String svg = FlowChart.svg(layers, "dead");
        assertTrue(svg.contains("0 (exact zeros are drawn on this line)"), "the floor is labelled");
        List<Segment> floorLine = segments(svg, "stroke:rgb(64,64,64)");
        assertEquals(1, floorLine.size(), "one dashed floor line");
        double floorY = floorLine.get(0).y1();

        // The accumulated product (blue, 2.5 wide): 9 segments joining depths 1..10, the last five
        // points on the floor, the nonzero ones above it.
        List<Segment> accumulated = segments(svg, "stroke-width:2.5;stroke:rgb(31,119,180)");
        assertEquals(9, accumulated.size(), "every depth is a point of the line");
        for (int i = 0; i < 9; i++) {
            int depthAtEnd = i + 2;
            Segment s = accumulated.get(i);
            if (depthAtEnd >= 6) {
                assertEquals(floorY, s.y2(), 0.01, "depth " + depthAtEnd + " is on the floor");
            } else {
                assertTrue(s.y2() < floorY - 10, "depth " + depthAtEnd + " is above the floor");
            }
        }
        // The median act′·weight (orange): falls to the floor at depth 6 and rises again, instead of
        // one segment from depth 5 to depth 7.
        List<Segment> median = segments(svg, "stroke:rgb(255,127,14)");
        assertEquals(9, median.size());
        assertEquals(floorY, median.get(4).y2(), 0.01, "depth 6 on the floor");
        assertEquals(floorY, median.get(5).y1(), 0.01);
        assertTrue(median.get(5).y2() < floorY - 10, "depth 7 (relu′ = 1) back up");
    }

    @Test
    void theFloorIsADecadeBelowTheSmallestNonzeroValueAndItsTickReadsZero() throws Exception {
        List<LayerFlow> layers = GradientFlowTest.flow(GradientFlowTest.load(DEAD));
        JFreeChart chart = FlowChart.chart(layers, "dead");
        XYPlot plot = chart.getXYPlot();
        XYSeriesCollection data = (XYSeriesCollection) plot.getDataset();
        double smallest = Double.POSITIVE_INFINITY;
        for (LayerFlow l : layers) {
            if (l.accumulated() > 0) {
                smallest = Math.min(smallest, l.accumulated());
            }
        }
        double floor = data.getSeries(0).getY(9).doubleValue();
        assertEquals(FlowChart.zeroFloor(smallest), floor);
        assertTrue(floor < smallest / 10 && floor >= smallest / 100, floor + " vs " + smallest);
        assertTrue(plot.getRangeAxis().getLowerBound() < floor, "the floor is inside the axis");
        FlowChart.FloorAxis axis = (FlowChart.FloorAxis) plot.getRangeAxis();
        assertEquals("0", text(axis.createTickLabel(floor)));
        assertFalse(text(axis.createTickLabel(floor * 10)).equals("0"));
    }

    @Test
    void aChartWithoutZerosHasNoFloor() throws Exception {
        String svg = FlowChart.svg(GradientFlowTest.flow(GradientFlowTest.load("examples/chain10-sigmoid.nn")), "s");
        assertFalse(svg.contains("exact zeros"));
        assertTrue(segments(svg, "stroke:rgb(64,64,64)").isEmpty());
    }

    private static String text(java.text.AttributedString s) {
        StringBuilder sb = new StringBuilder();
        java.text.AttributedCharacterIterator it = s.getIterator();
        for (char c = it.first(); c != java.text.CharacterIterator.DONE; c = it.next()) {
            sb.append(c);
        }
        return sb.toString();
    }
}
