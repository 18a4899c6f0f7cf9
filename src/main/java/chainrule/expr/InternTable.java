package chainrule.expr;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;

/**
 * The intern table behind {@link Exprs}: one live expression per structure, held weakly, so an
 * expression nobody references any more can be collected.
 *
 * <p>An entry is only the weak reference (with the structure's hash): a candidate is compared with
 * the live expression it refers to, children by identity (they are interned themselves). A table
 * keyed by separate key objects would keep a key, an array of child ids and a map node alive per
 * expression as well; a 784-128-10 network interns a few hundred thousand expressions, and those
 * extra objects were a good part of the time its analysis spent in the garbage collector.
 *
 * <p>Ids are never reused, so a hash made of children's ids stays valid, and an entry whose
 * expression has been collected matches nothing; it is unlinked when its reference is enqueued.
 */
final class InternTable {
    private static final int NUM = 0;
    private static final int SYM = 1;
    private static final int SUM = 2;
    private static final int PRODUCT = 3;
    private static final int POWER = 4;
    private static final int APPLY = 5;

    private final ReferenceQueue<Expr> queue = new ReferenceQueue<>();
    private Entry[] buckets = new Entry[1 << 16]; // a network of any size interns thousands at once
    private int size;
    private long nextId = 1;

    private static final class Entry extends WeakReference<Expr> {
        final int hash;
        Entry next;

        Entry(Expr e, int hash, ReferenceQueue<Expr> queue, Entry next) {
            super(e, queue);
            this.hash = hash;
            this.next = next;
        }
    }

    synchronized Num num(double value) {
        long bits = Double.doubleToLongBits(value);
        int hash = mix(NUM, bits);
        for (Entry e = bucket(hash); e != null; e = e.next) {
            if (e.hash == hash && e.get() instanceof Num n && !n.isExact() && Double.doubleToLongBits(n.value()) == bits) {
                return n;
            }
        }
        return add(new Num(nextId++, value), hash);
    }

    /** The exact rational p/q, in lowest terms with q &gt; 0. */
    synchronized Num rational(java.math.BigInteger p, java.math.BigInteger q) {
        int hash = mix(mix(NUM, p.hashCode()), q.hashCode() + 0x5bd1e995L);
        for (Entry e = bucket(hash); e != null; e = e.next) {
            if (e.hash == hash && e.get() instanceof Num n && n.isExact() && n.numerator().equals(p) && n.denominator().equals(q)) {
                return n;
            }
        }
        return add(new Num(nextId++, p, q), hash);
    }

    synchronized Sym sym(String name, SymKind kind) {
        int hash = mix(SYM, name.hashCode() * 31L + kind.ordinal());
        for (Entry e = bucket(hash); e != null; e = e.next) {
            if (e.hash == hash && e.get() instanceof Sym s && s.kind() == kind && s.name().equals(name)) {
                return s;
            }
        }
        return add(new Sym(nextId++, name, kind), hash);
    }

    synchronized Power power(Expr base, Expr exponent) {
        int hash = mix(mix(POWER, base.id()), exponent.id());
        for (Entry e = bucket(hash); e != null; e = e.next) {
            if (e.hash == hash && e.get() instanceof Power p && p.base() == base && p.exponent() == exponent) {
                return p;
            }
        }
        return add(new Power(nextId++, base, exponent), hash);
    }

    /** A sum (when {@code sum}) or product of exactly these terms or factors, in this order. */
    synchronized Expr nary(boolean sum, List<Expr> children) {
        int hash = mixAll(sum ? SUM : PRODUCT, children);
        for (Entry e = bucket(hash); e != null; e = e.next) {
            if (e.hash == hash) {
                Expr x = e.get();
                if (x != null && (sum ? x instanceof Sum : x instanceof Product) && sameChildren(x.children(), children)) {
                    return x;
                }
            }
        }
        List<Expr> copy = List.copyOf(children);
        return add(sum ? new Sum(nextId++, copy) : new Product(nextId++, copy), hash);
    }

    /** A call; functions compare by {@code equals}, so a function value made twice is one function. */
    synchronized Apply apply(Fn fn, List<Expr> args) {
        int hash = mixAll(APPLY, args) * 31 + fn.hashCode();
        for (Entry e = bucket(hash); e != null; e = e.next) {
            if (e.hash == hash && e.get() instanceof Apply a && a.fn().equals(fn) && sameChildren(a.args(), args)) {
                return a;
            }
        }
        return add(new Apply(nextId++, fn, List.copyOf(args)), hash);
    }

    /** Number of entries not yet unlinked (live expressions, and collected ones not yet noticed). */
    synchronized int size() {
        purge();
        return size;
    }

    private static boolean sameChildren(List<Expr> a, List<Expr> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static int mixAll(int kind, List<Expr> children) {
        long h = kind;
        for (Expr c : children) {
            h = h * 0x9E3779B97F4A7C15L + c.id();
        }
        return mix(kind, h);
    }

    private static int mix(long a, long b) {
        long h = (a * 0x9E3779B97F4A7C15L) ^ b;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }

    private Entry bucket(int hash) {
        purge();
        return buckets[hash & (buckets.length - 1)];
    }

    private <E extends Expr> E add(E made, int hash) {
        chainrule.diag.Cancelled.check(); // every new node: an abandoned computation stops here
        if (size >= buckets.length - buckets.length / 4) {
            grow();
        }
        int i = hash & (buckets.length - 1);
        buckets[i] = new Entry(made, hash, queue, buckets[i]);
        size++;
        return made;
    }

    /** Doubles the buckets; entries whose expression is gone are dropped on the way. */
    private void grow() {
        Entry[] old = buckets;
        buckets = new Entry[old.length * 2];
        size = 0;
        for (Entry head : old) {
            for (Entry e = head, next; e != null; e = next) {
                next = e.next;
                if (!e.refersTo(null)) {
                    int i = e.hash & (buckets.length - 1);
                    e.next = buckets[i];
                    buckets[i] = e;
                    size++;
                }
            }
        }
    }

    /** Unlinks the entries of collected expressions. */
    private void purge() {
        for (Reference<? extends Expr> r; (r = queue.poll()) != null; ) {
            Entry dead = (Entry) r;
            int i = dead.hash & (buckets.length - 1);
            for (Entry e = buckets[i], previous = null; e != null; previous = e, e = e.next) {
                if (e == dead) {
                    if (previous == null) {
                        buckets[i] = e.next;
                    } else {
                        previous.next = e.next;
                    }
                    size--;
                    break;
                }
            }
        }
    }
}
