/** "In stock", "Only 3 left" or "Out of stock". */
export function stockLabel(product: { inStock: boolean; availableQuantity: number }): string {
  if (!product.inStock || product.availableQuantity <= 0) return 'Out of stock';
  if (product.availableQuantity <= 5) return `Only ${product.availableQuantity} left`;
  return 'In stock';
}
