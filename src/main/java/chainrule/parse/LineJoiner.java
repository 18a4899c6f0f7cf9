package chainrule.parse;

import chainrule.diag.Diagnostic;
import chainrule.diag.Source;
import chainrule.parse.antlr.NetworkLexer;
import java.util.List;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * The scanner's second half, between the lexer and the parser, so the grammar needs no embedded
 * code. It
 * <ul>
 *   <li>joins continued lines: a newline inside parentheses or brackets, or after a binary operator,
 *       a comma, {@code =} or an open bracket, is not a statement end;</li>
 *   <li>reports characters that start no token ("unexpected character") and drops them;</li>
 *   <li>enforces the nesting limit (brackets, runs of unary operators, {@code ^} chains) before the
 *       recursive-descent parser can overflow its stack: past the limit it reports one error and
 *       ends the token stream.</li>
 * </ul>
 */
final class LineJoiner implements TokenSource {
    private final NetworkLexer lexer;
    private final Source source;
    private final List<Diagnostic> diagnostics;
    private final int maxNesting;
    private int depth;
    private int chain;
    private int previousType = -1;
    private boolean stopped;
    private Token eof;

    LineJoiner(NetworkLexer lexer, Source source, List<Diagnostic> diagnostics, int maxNesting) {
        this.lexer = lexer;
        this.source = source;
        this.diagnostics = diagnostics;
        this.maxNesting = maxNesting;
    }

    /** Whether the token stream was cut short by a limit (then parse errors after it are noise). */
    boolean stopped() { return stopped; }

    @Override
    public Token nextToken() {
        if (stopped) {
            return endOfFile();
        }
        while (true) {
            Token t = lexer.nextToken();
            int type = t.getType();
            switch (type) {
                case NetworkLexer.UNEXPECTED_CHAR -> {
                    diagnostics.add(Diagnostic.error(source, t.getLine(), t.getCharPositionInLine() + 1, 1,
                            "unexpected character " + describe(t.getText())));
                    continue;
                }
                case NetworkLexer.NEWLINE -> {
                    if (depth > 0 || continuesLine(previousType)) {
                        continue;
                    }
                    chain = 0;
                }
                case NetworkLexer.LPAREN, NetworkLexer.LBRACK -> depth++;
                case NetworkLexer.RPAREN, NetworkLexer.RBRACK -> depth = Math.max(0, depth - 1);
                case NetworkLexer.CARET -> chain++;
                case NetworkLexer.PLUS, NetworkLexer.MINUS -> {
                    if (isOperandEnd(previousType)) {
                        chain = 0; // binary + or -
                    } else {
                        chain++; // unary
                    }
                }
                case NetworkLexer.STAR, NetworkLexer.SLASH, NetworkLexer.AT, NetworkLexer.COMMA,
                        NetworkLexer.SEMI, NetworkLexer.ASSIGN -> chain = 0;
                default -> { }
            }
            if (depth + chain > maxNesting) {
                diagnostics.add(Diagnostic.error(source, t.getLine(), t.getCharPositionInLine() + 1, 1,
                        "expression nested too deeply (more than " + maxNesting
                                + " levels of brackets, unary signs or '^'); raise the limit with --max-nesting"));
                stopped = true;
                return endOfFile();
            }
            if (type != Token.EOF) {
                previousType = type;
            }
            return t;
        }
    }

    private Token endOfFile() {
        if (eof == null) {
            CommonToken t = new CommonToken(Token.EOF, "<EOF>");
            t.setLine(lexer.getLine());
            t.setCharPositionInLine(lexer.getCharPositionInLine());
            eof = t;
        }
        return eof;
    }

    /** Tokens after which a line break does not end the statement. */
    private static boolean continuesLine(int type) {
        return switch (type) {
            case NetworkLexer.PLUS, NetworkLexer.MINUS, NetworkLexer.STAR, NetworkLexer.SLASH,
                    NetworkLexer.CARET, NetworkLexer.AT, NetworkLexer.COMMA, NetworkLexer.ASSIGN,
                    NetworkLexer.LPAREN, NetworkLexer.LBRACK -> true;
            default -> false;
        };
    }

    /** Tokens that can end an operand, so a following + or - is binary. */
    private static boolean isOperandEnd(int type) {
        return type == NetworkLexer.IDENT || type == NetworkLexer.NUMBER
                || type == NetworkLexer.RPAREN || type == NetworkLexer.RBRACK;
    }

    static String describe(String text) {
        int cp = text.codePointAt(0);
        if (cp < 0x20 || cp == 0x7F || Character.isISOControl(cp) || Character.isWhitespace(cp)
                || Character.getType(cp) == Character.FORMAT || cp == 0xFFFD) {
            return String.format("U+%04X", cp);
        }
        return "'" + text + "' (U+" + String.format("%04X", cp) + ")";
    }

    @Override public int getLine() { return lexer.getLine(); }

    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }

    @Override public CharStream getInputStream() { return lexer.getInputStream(); }

    @Override public String getSourceName() { return lexer.getSourceName(); }

    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }

    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
