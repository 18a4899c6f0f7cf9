package chainrule.print;

/**
 * What a long vector or matrix of numbers is summarised by when it is too long to list: where its
 * smallest and largest elements are, and its Euclidean norm.
 *
 * @param min index of the smallest element (the first, if tied)
 * @param max index of the largest element
 */
public record VectorSummary(int min, int max, double norm) {

    public static VectorSummary of(double[] v) {
        int min = 0;
        int max = 0;
        double squares = 0;
        for (int k = 0; k < v.length; k++) {
            min = v[k] < v[min] ? k : min;
            max = v[k] > v[max] ? k : max;
            squares += v[k] * v[k];
        }
        return new VectorSummary(min, max, Math.sqrt(squares));
    }
}
