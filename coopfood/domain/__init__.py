"""Plain types and rules of the domain: money, quantities, VAT, states."""
