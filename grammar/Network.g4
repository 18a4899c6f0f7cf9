// The .nn network language (see docs/language.md). No embedded code: the token filter
// (chainrule.parse.LineJoiner) joins continued lines, and AstBuilder is the only code that sees
// the parse tree. Every alternative is labelled so AstBuilder has one method per form.
grammar Network;

file
    : separator* (statement (separator+ statement)*)? separator* EOF
    ;

separator
    : NEWLINE
    | SEMI
    ;

statement
    : kind=(INPUT | TARGET | WEIGHT | BIAS | CONST) declarator (COMMA declarator)*   # declaration
    | LOSS IDENT ASSIGN expr                                                         # lossDefinition
    | FUNCTION IDENT LPAREN (IDENT (COMMA IDENT)*)? RPAREN ASSIGN expr               # functionDefinition
    | IDENT ASSIGN expr                                                              # nodeDefinition
    ;

declarator
    : IDENT shape? (TILDE init)? (ASSIGN value)?
    ;

// Random initialisation: `~ he_normal`, `~ normal(0, 0.1)`.
init
    : IDENT (LPAREN (signedNumber (COMMA signedNumber)*)? RPAREN)?
    ;

signedNumber
    : sign=(MINUS | PLUS)? NUMBER
    ;

shape
    : LBRACK NUMBER (COMMA NUMBER)* RBRACK
    ;

value
    : sign=(MINUS | PLUS)? NUMBER                 # scalarValue
    | LBRACK value (COMMA value)* RBRACK          # arrayValue
    ;

// Alternatives from tightest to loosest binding: ^ (right-associative) binds tighter than unary
// minus, so -x^2 is -(x^2); unary minus binds tighter than * and /.
expr
    : NUMBER                                              # number
    | IDENT LPAREN (expr (COMMA expr)*)? RPAREN           # call
    | IDENT LBRACK expr (COMMA expr)* RBRACK              # index
    | IDENT                                               # name
    | LPAREN expr RPAREN                                  # parens
    | <assoc=right> expr CARET expr                       # power
    | op=(MINUS | PLUS) expr                              # unary
    | expr op=(STAR | SLASH | AT) expr                    # multiplicative
    | expr op=(PLUS | MINUS) expr                         # additive
    ;

// Entry point for `chainrule diff EXPR`.
standaloneExpr
    : NEWLINE* expr NEWLINE* EOF
    ;

INPUT    : 'input';
TARGET   : 'target';
WEIGHT   : 'weight';
BIAS     : 'bias';
CONST    : 'const';
LOSS     : 'loss';
FUNCTION : 'function';

NUMBER
    : DIGIT+ ('.' DIGIT*)? EXPONENT?
    | '.' DIGIT+ EXPONENT?
    ;

// A number with a second decimal point or an exponent without digits ('1.2.3', '1e', '2.5e+'):
// one token, so the error names the whole number instead of a confusing piece of it.
MALFORMED_NUMBER
    : (DIGIT+ ('.' DIGIT*)? | '.' DIGIT+) ('.' DIGIT*)+ EXPONENT?
    | (DIGIT+ ('.' DIGIT*)? | '.' DIGIT+) [eE] [+-]?
    ;

IDENT : ID_START ID_PART* ;

PLUS   : '+';
MINUS  : '-';
STAR   : '*';
SLASH  : '/';
CARET  : '^';
AT     : '@';
ASSIGN : '=';
TILDE  : '~';
COMMA  : ',';
SEMI   : ';';
LPAREN : '(';
RPAREN : ')';
LBRACK : '[';
RBRACK : ']';

NEWLINE : '\r'? '\n' | '\r';

COMMENT : ('#' | '//') ~[\r\n]* -> skip;
WS      : [ \t\f\u000B\u00A0\uFEFF]+ -> skip;

// Anything else becomes one token that the parser front end reports as "unexpected character".
UNEXPECTED_CHAR : . ;

fragment DIGIT    : [0-9];
fragment EXPONENT : [eE] [+-]? DIGIT+;
fragment ID_START : [\p{L}_];
fragment ID_PART  : [\p{L}\p{Mn}\p{Mc}0-9_];
