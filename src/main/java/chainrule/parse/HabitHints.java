package chainrule.parse;

import chainrule.diag.Diagnostic;
import chainrule.diag.Source;
import chainrule.parse.antlr.NetworkLexer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;

/**
 * Syntax errors that come from habits students bring from other languages, each recognised by its
 * shape and answered with what to write instead, as a {@code help:} line: {@code x**2} (Python's
 * power), {@code 2w} and {@code 1.5x} (a textbook's implicit product), {@code Input x} and
 * {@code LOSS E} (capitalised keywords, and plurals and other languages' words for them), {@code 0,5} (a decimal comma), {@code 들'2} (a prime in a
 * name), and characters pasted from papers ({@code ×}, {@code −}, {@code ²}). Each kind is matched
 * by tokens, not by one spelling: any number followed by a name, any capitalisation of any
 * keyword. Function names ({@code ln}, {@code log10}) are the model's business
 * ({@code chainrule.model.FunctionHints}), since only the analyser knows which functions exist.
 */
final class HabitHints {
    private HabitHints() {}

    private static final List<String> KEYWORDS = List.of("input", "target", "weight", "bias", "const", "loss", "function");

    /** Words other languages use for a statement, and the statement they mean here. */
    private static final Map<String, String> KEYWORD_ALIASES = Map.ofEntries(
            Map.entry("def", "function"), Map.entry("fn", "function"), Map.entry("fun", "function"),
            Map.entry("func", "function"), Map.entry("lambda", "function"),
            Map.entry("param", "weight"), Map.entry("parameter", "weight"), Map.entry("params", "weight"),
            Map.entry("constant", "const"), Map.entry("output", "loss"), Map.entry("cost", "loss"),
            Map.entry("objective", "loss"));

    /** Words that define a variable elsewhere; here a definition needs no keyword. */
    private static final List<String> DEFINITION_WORDS = List.of("let", "var", "val", "node", "define");

    /**
     * The habit behind a syntax error at {@code offending}, or null if none fits.
     *
     * @param previous the token before it in the statement, or null at a statement start
     */
    static Diagnostic syntaxError(Source source, TokenStream tokens, Token previous, Token offending) {
        if (offending == null || previous == null) {
            return null;
        }
        int p = previous.getType();
        int o = offending.getType();
        if (p == NetworkLexer.STAR && o == NetworkLexer.STAR && adjacent(previous, offending)) {
            return at(source, previous, offending, "'**' is not an operator")
                    .withHelp("use ^ for powers: x^2, not x**2");
        }
        if (p == NetworkLexer.NUMBER && (o == NetworkLexer.IDENT || o == NetworkLexer.LPAREN)
                || p == NetworkLexer.RPAREN && (o == NetworkLexer.IDENT || o == NetworkLexer.NUMBER
                        || o == NetworkLexer.LPAREN)) {
            String left = p == NetworkLexer.RPAREN ? "(…)" : previous.getText();
            String right = o == NetworkLexer.LPAREN ? "(…)" : offending.getText();
            return at(source, previous, offending, "a product needs '*' between " + describe(previous)
                    + " and " + describe(offending))
                    .withHelp("write " + left + "*" + right + "; nothing is multiplied without '*'");
        }
        if (p == NetworkLexer.IDENT && o == NetworkLexer.IDENT && startsStatement(tokens, previous)) {
            return keywordHabit(source, previous);
        }
        Token before = tokenBefore(tokens, previous);
        if (o == NetworkLexer.NUMBER && p == NetworkLexer.COMMA && decimalComma(before, previous, offending)) {
            return decimalComma(source, before, offending);
        }
        if (o == NetworkLexer.COMMA && p == NetworkLexer.NUMBER) {
            Token after = tokenAfter(tokens, offending);
            if (decimalComma(previous, offending, after)) {
                return decimalComma(source, previous, after);
            }
        }
        return null;
    }

    /** {@code Input x}, {@code LOSS E}, {@code weights w}, {@code def f(x)}, {@code let h = …}. */
    private static Diagnostic keywordHabit(Source source, Token word) {
        String text = word.getText();
        String lower = text.toLowerCase(Locale.ROOT);
        if (KEYWORDS.contains(lower)) {
            return at(source, word, word, "'" + text + "' is not a keyword")
                    .withHelp("keywords are lowercase: write '" + lower + "'");
        }
        String meant = KEYWORD_ALIASES.get(lower);
        for (String k : KEYWORDS) {
            if (meant == null && (lower.equals(k + "s") || lower.equals(k + "es"))) {
                meant = k; // weights w1, w2
            }
        }
        if (meant != null) {
            return at(source, word, word, "'" + text + "' is not a keyword; did you mean '" + meant + "'?")
                    .withHelp("the statements are: " + String.join(", ", KEYWORDS) + ", and name = expression");
        }
        if (DEFINITION_WORDS.contains(lower)) {
            return at(source, word, word, "'" + text + "' is not a keyword")
                    .withHelp("a definition needs no keyword: write 'name = expression'");
        }
        return null;
    }

    private static Diagnostic decimalComma(Source source, Token whole, Token fraction) {
        String written = whole.getText() + "," + fraction.getText();
        return at(source, whole, fraction, "'" + written + "' is not a number")
                .withHelp("use a decimal point: " + whole.getText() + "." + fraction.getText());
    }

    /** Digits, a comma and digits with no space between: {@code 0,5}, not {@code f(0, 5)}. */
    private static boolean decimalComma(Token whole, Token comma, Token fraction) {
        return whole != null && fraction != null && whole.getType() == NetworkLexer.NUMBER
                && fraction.getType() == NetworkLexer.NUMBER && whole.getText().matches("[0-9]+")
                && fraction.getText().matches("[0-9]+") && adjacent(whole, comma) && adjacent(comma, fraction);
    }

    /**
     * A character that starts no token but has a plain spelling here: {@code ×}, {@code ·} for
     * {@code *}; {@code −} and dashes for {@code -}; {@code ÷}; superscripts for {@code ^}; {@code :=}.
     */
    static String characterHelp(String character) {
        return switch (character) {
            case "×", "·", "⋅", "∗", "✕" -> "write * for a product";
            case "−", "–", "—", "‐" -> "write - (the ASCII minus) for a difference or a sign";
            case "÷", "∕" -> "write / for a quotient";
            case "²" -> "use ^ for powers: x^2";
            case "³" -> "use ^ for powers: x^3";
            case "√" -> "write sqrt(x)";
            case ":" -> "a definition is written 'name = expression'";
            default -> null;
        };
    }

    /** Whether {@code c} is a prime or a quote that students put into names ({@code h'}, {@code 들'2}). */
    static boolean isPrime(String c) {
        return c.equals("'") || c.equals("′") || c.equals("’") || c.equals("″") || c.equals("`");
    }

    /** A name for {@code name} with its primes ({@code primes} of them) and the rest of the name {@code rest}. */
    static String primeHelp(String name, String rest, int primes) {
        String written = name + "'".repeat(primes) + rest;
        return "a name cannot contain a prime; write " + name + rest + "_".repeat(primes) + " for " + written;
    }

    static boolean adjacent(Token a, Token b) {
        return a.getLine() == b.getLine() && a.getStopIndex() + 1 == b.getStartIndex();
    }

    private static Diagnostic at(Source source, Token first, Token last, String message) {
        // Token indices count code points (ANTLR's code point stream), as columns do.
        int length = first.getLine() == last.getLine() ? last.getStopIndex() + 1 - first.getStartIndex() : 1;
        return Diagnostic.error(source, first.getLine(), first.getCharPositionInLine() + 1, length, message);
    }

    private static String describe(Token t) {
        return switch (t.getType()) {
            case NetworkLexer.RPAREN -> "')'";
            case NetworkLexer.LPAREN -> "'('";
            default -> SyntaxErrorMessage.describe(t);
        };
    }

    private static boolean startsStatement(TokenStream tokens, Token t) {
        Token b = tokenBefore(tokens, t);
        return b == null;
    }

    /** The token before {@code t} in its statement, or null at a statement start. */
    private static Token tokenBefore(TokenStream tokens, Token t) {
        if (t.getTokenIndex() <= 0) {
            return null;
        }
        Token b = tokens.get(t.getTokenIndex() - 1);
        return b.getType() == NetworkLexer.NEWLINE || b.getType() == NetworkLexer.SEMI ? null : b;
    }

    /** The token after {@code t} when {@code t} is the parser's current token (it is, at a syntax error). */
    private static Token tokenAfter(TokenStream tokens, Token t) {
        if (tokens.LT(1) != t) {
            return null;
        }
        Token a = tokens.LT(2);
        return a == null || a.getType() == Token.EOF ? null : a;
    }
}
