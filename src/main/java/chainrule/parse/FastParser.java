package chainrule.parse;

import chainrule.parse.antlr.NetworkLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenSource;

/**
 * A hand-written recursive-descent parser for the grammar in {@code grammar/Network.g4}, building
 * the {@link Ast} straight from the tokens of the {@link LineJoiner}: no parse tree, no
 * {@link AstBuilder} pass, no ANTLR prediction. A 784-128-10 file is some 200,000 tokens of number
 * lists, and this is the fast path for them (docs/performance.md, "784-128-10: parsing and JVM flags").
 *
 * <p>It only ever accepts: at the first token it does not expect it gives up ({@link Mismatch}),
 * and {@link SourceParser} parses the text again with ANTLR, which stays the reference for the
 * language and the only source of syntax-error messages. The precedence climbing below is the one
 * ANTLR generates for the left-recursive {@code expr} rule (power 4, right-associative; unary 3;
 * multiplicative 2; additive 1). {@code FastParserTest} checks that both parsers give equal trees.
 */
final class FastParser {

    /** The input is not (yet) known to be well formed: let ANTLR parse it. */
    static final class Mismatch extends RuntimeException {
        Mismatch() {
            super(null, null, false, false);
        }
    }

    private static final int ADDITIVE = 1;
    private static final int MULTIPLICATIVE = 2;
    private static final int UNARY = 3;
    private static final int POWER = 4;

    private final TokenSource tokens;
    private Token current;

    FastParser(TokenSource tokens) {
        this.tokens = tokens;
        this.current = tokens.nextToken();
    }

    // file : separator* (statement (separator+ statement)*)? separator* EOF
    Ast.File file() {
        List<Ast.Statement> statements = new ArrayList<>();
        skipSeparators();
        while (type() != Token.EOF) {
            statements.add(statement());
            if (type() == Token.EOF) {
                break;
            }
            if (!isSeparator(type())) {
                throw new Mismatch();
            }
            skipSeparators();
        }
        return new Ast.File(statements);
    }

    // standaloneExpr : NEWLINE* expr NEWLINE* EOF
    Ast.Expr standalone() {
        while (type() == NetworkLexer.NEWLINE) {
            advance();
        }
        Ast.Expr e = expr(0);
        while (type() == NetworkLexer.NEWLINE) {
            advance();
        }
        expect(Token.EOF);
        return e;
    }

    private Ast.Statement statement() {
        return switch (type()) {
            case NetworkLexer.INPUT -> declaration(Ast.DeclKind.INPUT);
            case NetworkLexer.TARGET -> declaration(Ast.DeclKind.TARGET);
            case NetworkLexer.WEIGHT -> declaration(Ast.DeclKind.WEIGHT);
            case NetworkLexer.BIAS -> declaration(Ast.DeclKind.BIAS);
            case NetworkLexer.CONST -> declaration(Ast.DeclKind.CONST);
            case NetworkLexer.LOSS -> {
                advance();
                Ast.Name name = name(expect(NetworkLexer.IDENT));
                expect(NetworkLexer.ASSIGN);
                yield new Ast.Definition(name, true, expr(0));
            }
            case NetworkLexer.FUNCTION -> {
                advance();
                Ast.Name name = name(expect(NetworkLexer.IDENT));
                expect(NetworkLexer.LPAREN);
                List<Ast.Name> params = new ArrayList<>();
                if (type() == NetworkLexer.IDENT) {
                    params.add(name(advance()));
                    while (type() == NetworkLexer.COMMA) {
                        advance();
                        params.add(name(expect(NetworkLexer.IDENT)));
                    }
                }
                expect(NetworkLexer.RPAREN);
                expect(NetworkLexer.ASSIGN);
                yield new Ast.FunctionDef(name, params, expr(0));
            }
            case NetworkLexer.IDENT -> {
                Ast.Name name = name(advance());
                expect(NetworkLexer.ASSIGN);
                yield new Ast.Definition(name, false, expr(0));
            }
            default -> throw new Mismatch();
        };
    }

    // kind declarator (COMMA declarator)*
    private Ast.Declaration declaration(Ast.DeclKind kind) {
        Ast.Pos keyword = AstBuilder.pos(advance());
        List<Ast.Declarator> declarators = new ArrayList<>();
        declarators.add(declarator());
        while (type() == NetworkLexer.COMMA) {
            advance();
            declarators.add(declarator());
        }
        return new Ast.Declaration(kind, keyword, declarators);
    }

    // declarator : IDENT shape? (TILDE init)? (ASSIGN value)?
    private Ast.Declarator declarator() {
        Ast.Name name = name(expect(NetworkLexer.IDENT));
        List<Ast.Dim> shape = new ArrayList<>();
        if (type() == NetworkLexer.LBRACK) {
            advance();
            Token n = expect(NetworkLexer.NUMBER);
            shape.add(new Ast.Dim(n.getText(), AstBuilder.pos(n)));
            while (type() == NetworkLexer.COMMA) {
                advance();
                n = expect(NetworkLexer.NUMBER);
                shape.add(new Ast.Dim(n.getText(), AstBuilder.pos(n)));
            }
            expect(NetworkLexer.RBRACK);
        }
        Ast.Init init = null;
        if (type() == NetworkLexer.TILDE) {
            advance();
            init = init();
        }
        Ast.Value value = null;
        if (type() == NetworkLexer.ASSIGN) {
            advance();
            value = value();
        }
        return new Ast.Declarator(name, shape, init, value);
    }

    // init : IDENT (LPAREN (signedNumber (COMMA signedNumber)*)? RPAREN)?
    private Ast.Init init() {
        Token start = expect(NetworkLexer.IDENT);
        Token stop = start;
        List<Ast.Scalar> arguments = new ArrayList<>();
        if (type() == NetworkLexer.LPAREN) {
            advance();
            if (type() != NetworkLexer.RPAREN) {
                arguments.add(signedNumber());
                while (type() == NetworkLexer.COMMA) {
                    advance();
                    arguments.add(signedNumber());
                }
            }
            stop = expect(NetworkLexer.RPAREN);
        }
        return new Ast.Init(name(start), arguments, span(start, stop));
    }

    // signedNumber : sign=(MINUS | PLUS)? NUMBER ; also value's scalarValue alternative
    private Ast.Scalar signedNumber() {
        Token start = current;
        String sign = "";
        if (type() == NetworkLexer.MINUS || type() == NetworkLexer.PLUS) {
            sign = advance().getText();
        }
        Token number = expect(NetworkLexer.NUMBER);
        String text = sign + number.getText();
        return new Ast.Scalar(text, Double.parseDouble(text), span(start, number));
    }

    // value : sign=(MINUS | PLUS)? NUMBER | LBRACK value (COMMA value)* RBRACK
    private Ast.Value value() {
        if (type() != NetworkLexer.LBRACK) {
            return signedNumber();
        }
        Ast.Pos pos = AstBuilder.pos(advance());
        List<Ast.Value> items = new ArrayList<>();
        items.add(value());
        while (type() == NetworkLexer.COMMA) {
            advance();
            items.add(value());
        }
        expect(NetworkLexer.RBRACK);
        return new Ast.Array(items, pos);
    }

    /** {@code expr} at precedence {@code p}, as ANTLR's {@code expr(int _p)}. */
    private Ast.Expr expr(int p) {
        Ast.Expr left = primary();
        while (true) {
            int t = type();
            if (t == NetworkLexer.CARET && POWER >= p) {
                Ast.Pos pos = AstBuilder.pos(advance());
                left = new Ast.Binary(Ast.BinaryOp.POWER, left, expr(POWER), pos);
            } else if ((t == NetworkLexer.STAR || t == NetworkLexer.SLASH || t == NetworkLexer.AT) && MULTIPLICATIVE >= p) {
                Ast.BinaryOp op = t == NetworkLexer.STAR ? Ast.BinaryOp.MULTIPLY
                        : t == NetworkLexer.SLASH ? Ast.BinaryOp.DIVIDE : Ast.BinaryOp.MATMUL;
                Ast.Pos pos = AstBuilder.pos(advance());
                left = new Ast.Binary(op, left, expr(MULTIPLICATIVE + 1), pos);
            } else if ((t == NetworkLexer.PLUS || t == NetworkLexer.MINUS) && ADDITIVE >= p) {
                Ast.BinaryOp op = t == NetworkLexer.PLUS ? Ast.BinaryOp.ADD : Ast.BinaryOp.SUBTRACT;
                Ast.Pos pos = AstBuilder.pos(advance());
                left = new Ast.Binary(op, left, expr(ADDITIVE + 1), pos);
            } else {
                return left;
            }
        }
    }

    private Ast.Expr primary() {
        switch (type()) {
            case NetworkLexer.NUMBER -> {
                Token n = advance();
                String text = n.getText();
                return new Ast.Number(text, Double.parseDouble(text), AstBuilder.pos(n));
            }
            case NetworkLexer.IDENT -> {
                Ast.Name name = name(advance());
                if (type() == NetworkLexer.LPAREN) {
                    advance();
                    List<Ast.Expr> args = new ArrayList<>();
                    if (type() != NetworkLexer.RPAREN) {
                        args.add(expr(0));
                        while (type() == NetworkLexer.COMMA) {
                            advance();
                            args.add(expr(0));
                        }
                    }
                    expect(NetworkLexer.RPAREN);
                    return new Ast.Call(name, args, name.pos());
                }
                if (type() == NetworkLexer.LBRACK) {
                    advance();
                    List<Ast.Expr> indices = new ArrayList<>();
                    indices.add(expr(0));
                    while (type() == NetworkLexer.COMMA) {
                        advance();
                        indices.add(expr(0));
                    }
                    expect(NetworkLexer.RBRACK);
                    return new Ast.Index(name, indices, name.pos());
                }
                return new Ast.NameRef(name);
            }
            case NetworkLexer.LPAREN -> {
                advance();
                Ast.Expr inner = expr(0);
                expect(NetworkLexer.RPAREN);
                return inner;
            }
            case NetworkLexer.MINUS, NetworkLexer.PLUS -> {
                Token op = advance();
                Ast.UnaryOp u = op.getType() == NetworkLexer.MINUS ? Ast.UnaryOp.NEGATE : Ast.UnaryOp.PLUS;
                return new Ast.Unary(u, expr(UNARY), AstBuilder.pos(op));
            }
            default -> throw new Mismatch();
        }
    }

    private int type() {
        return current.getType();
    }

    /** Consumes the current token and returns it. */
    private Token advance() {
        Token t = current;
        if (t.getType() == Token.EOF) {
            throw new Mismatch();
        }
        current = tokens.nextToken();
        return t;
    }

    private Token expect(int type) {
        if (current.getType() != type) {
            throw new Mismatch();
        }
        if (type == Token.EOF) {
            return current;
        }
        return advance();
    }

    private static boolean isSeparator(int type) {
        return type == NetworkLexer.NEWLINE || type == NetworkLexer.SEMI;
    }

    private void skipSeparators() {
        while (isSeparator(type())) {
            advance();
        }
    }

    private static Ast.Name name(Token t) {
        return new Ast.Name(t.getText(), AstBuilder.pos(t));
    }

    /** As {@code AstBuilder.span}: from {@code start} to the end of {@code stop} when on one line. */
    private static Ast.Pos span(Token start, Token stop) {
        int length = stop.getLine() == start.getLine()
                ? stop.getCharPositionInLine() + stop.getText().length() - start.getCharPositionInLine()
                : start.getText().length();
        return new Ast.Pos(start.getLine(), start.getCharPositionInLine() + 1, Math.max(1, length));
    }
}
