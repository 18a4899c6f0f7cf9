package chainrule.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainrule.diff.Differentiator;
import chainrule.expr.Expr;
import chainrule.expr.Exprs;
import chainrule.expr.Substitution;
import chainrule.expr.Sym;
import chainrule.expr.SymKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Simplification keeps coefficients exact: ∂/∂m of s·Σᵢ(xᵢ − m)²/n is −2·s·Σᵢ(xᵢ − m)/n, whose
 * coefficient of m, n·(2/n), must be exactly 2, so that substituting the mean m = Σx/n gives
 * exactly 0 (a centred sum). Summed in doubles, 18·(1/9) was 2.0000000000000004 and the zero was lost.
 */
class ExactCoefficientsTest {
    @Test
    void aCentredSumsDerivativeByItsMeanIsExactlyZeroAtTheMean() {
        for (int n : new int[] {3, 16, 18, 35, 100, 875}) {
            Sym s = Exprs.sym("s", SymKind.PARAMETER);
            Sym m = Exprs.sym("m", SymKind.LOCAL);
            List<Expr> squares = new ArrayList<>();
            List<Expr> xs = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                Sym x = Exprs.sym("x" + i, SymKind.PARAMETER);
                xs.add(x);
                squares.add(Exprs.pow(Exprs.sub(x, m), Exprs.TWO));
            }
            Expr variance = Exprs.div(Exprs.mul(s, Exprs.add(squares)), Exprs.num(n));
            Expr d = Simplifier.simplify(Differentiator.gradient(variance, Set.of(m)).get(m));
            Expr atMean = Substitution.replace(d, Map.of(m, Exprs.div(Exprs.add(xs), Exprs.num(n))));
            assertEquals(Exprs.ZERO, atMean, () -> n + " values: " + d);
        }
    }
}
