package dev.mycelium.broker.store;

/**
 * The broker's rule for names when the wanted one is taken: the {@code n}th candidate
 * (from 2), e.g. {@code shop-2}. A store tries them in order inside its atomic step.
 */
@FunctionalInterface
public interface NameRule {

	String candidate(String wanted, int n);

}
