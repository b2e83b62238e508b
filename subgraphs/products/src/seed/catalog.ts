import { money } from '@shop/platform';

/**
 * The demo catalog: 10 categories of 25 products each, generated from word lists by a seeded
 * pseudo-random generator, so every run (and every machine) gets exactly the same data. It is only
 * data: `scripts/seed.ts` loads it through the router's GraphQL API as an admin.
 */

export interface SeedCategory {
  /** URL name, given explicitly to `createCategory`. */
  slug: string;
  name: string;
}

export interface SeedProduct {
  /** `<CATEGORY PREFIX>-<4 digits>`, e.g. `ELEC-0001`. */
  sku: string;
  /** Unique across the catalog, so derived slugs never need a `-2` suffix. */
  name: string;
  description: string;
  /** Unit price in minor units (USD cents). */
  priceMinor: number;
  /** The same price as the contract's Decimal string, e.g. `"24.99"`. */
  price: string;
  categorySlug: string;
  /** Stock to add through `adjustStock` after creation (0: the product stays out of stock). */
  initialStock: number;
}

export interface SeedCatalog {
  categories: SeedCategory[];
  products: SeedProduct[];
}

interface CategoryWords {
  slug: string;
  name: string;
  skuPrefix: string;
  brands: string[];
  modifiers: string[];
  nouns: string[];
  features: string[];
  /** Price range in whole dollars. */
  price: [number, number];
}

const PRODUCTS_PER_CATEGORY = 25;

const WORDS: CategoryWords[] = [
  {
    slug: 'electronics',
    name: 'Electronics',
    skuPrefix: 'ELEC',
    brands: ['Voltique', 'Nordwave', 'Pixelon', 'Aurion', 'Kestrel'],
    modifiers: ['Wireless', 'Compact', 'Pro', 'Ultra', 'Smart', 'Portable'],
    nouns: [
      'Headphones',
      'Bluetooth Speaker',
      'Earbuds',
      'Smartwatch',
      'Power Bank',
      'USB-C Charger',
      'Webcam',
      'Keyboard',
      'Mouse',
      'Portable SSD',
    ],
    features: [
      'Up to 30 hours of battery life on a single charge',
      'Active noise cancellation with a transparency mode',
      'Fast charging over USB-C: 15 minutes for 3 hours of use',
      'Pairs with two devices at once and switches automatically',
      'Water and sweat resistant (IPX5)',
      'Aluminium housing that stays cool under load',
      'Firmware updates over the companion app',
    ],
    price: [15, 350],
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    skuPrefix: 'HOME',
    brands: ['Café Nova', 'Hearthly', 'Maison Brûlée', 'Oakridge', 'Linnea'],
    modifiers: ['Stainless', 'Cast Iron', 'Ceramic', 'Bamboo', 'Glass', 'Copper'],
    nouns: [
      'Frying Pan',
      'Dutch Oven',
      'Chef Knife',
      'Cutting Board',
      'French Press',
      'Kettle',
      'Mixing Bowl Set',
      'Spice Rack',
      'Coffee Grinder',
      'Teapot',
    ],
    features: [
      'Dishwasher safe and built for everyday use',
      'Works on gas, electric and induction hobs',
      'Oven safe up to 260 °C',
      'Ergonomic handle that stays cool',
      'Made from responsibly sourced materials',
      'Backed by a lifetime warranty',
      'Easy to clean, no special care needed',
    ],
    price: [9, 220],
  },
  {
    slug: 'books',
    name: 'Books',
    skuPrefix: 'BOOK',
    brands: ['The Quiet', 'A Field Guide to', 'The Art of', 'Notes on', 'The Last'],
    modifiers: ['Lighthouse', 'Algorithms', 'Gardens', 'Winter', 'Cartography', 'Typography'],
    nouns: [
      '(Hardcover)',
      '(Paperback)',
      '(Illustrated Edition)',
      '(Second Edition)',
      '(Collector’s Edition)',
      '(Pocket Edition)',
      '(Large Print)',
      '(Annotated)',
      '(Anniversary Edition)',
      '(Boxed Set)',
    ],
    features: [
      'A bestselling title praised by readers and critics alike',
      'Includes a new foreword by the author',
      'Printed on acid-free paper with a sewn binding',
      'Over 300 pages with full-colour illustrations',
      'A perfect gift for curious minds',
      'Includes an index and a reading guide',
      'Translated into more than 20 languages',
    ],
    price: [8, 60],
  },
  {
    slug: 'sports-outdoors',
    name: 'Sports & Outdoors',
    skuPrefix: 'SPRT',
    brands: ['Trailforge', 'Summitry', 'Bluefin', 'Ridgeback', 'Altura'],
    modifiers: ['Ultralight', 'Waterproof', 'Insulated', 'Trail', 'Alpine', 'Performance'],
    nouns: [
      'Backpack',
      'Tent',
      'Sleeping Bag',
      'Water Bottle',
      'Yoga Mat',
      'Running Shoes',
      'Trekking Poles',
      'Headlamp',
      'Cycling Gloves',
      'Camping Stove',
    ],
    features: [
      'Tested in the field by mountain guides',
      'Packs down small and weighs next to nothing',
      'Reflective details for visibility at night',
      'Made with recycled ripstop nylon',
      'Keeps drinks cold for 24 hours or hot for 12',
      'Adjustable fit for all-day comfort',
      'Comes with a two-year warranty',
    ],
    price: [12, 480],
  },
  {
    slug: 'toys-games',
    name: 'Toys & Games',
    skuPrefix: 'TOYS',
    brands: ['Jumblebee', 'Puzzlewick', 'Orbito', 'Tinker & Co', 'Marbleway'],
    modifiers: ['Classic', 'Deluxe', 'Junior', 'Family', 'Magnetic', 'Wooden'],
    nouns: [
      'Building Blocks',
      'Board Game',
      'Jigsaw Puzzle',
      'Card Game',
      'Train Set',
      'Marble Run',
      'Science Kit',
      'Plush Bear',
      'Kite',
      'Dollhouse',
    ],
    features: [
      'Suitable for ages 6 and up',
      'Encourages problem solving and creativity',
      'Non-toxic paints and rounded edges',
      'For 2 to 6 players; a game takes about 30 minutes',
      'Compatible with other sets of the range',
      'Storage box included',
      'Award-winning design loved by families',
    ],
    price: [7, 150],
  },
  {
    slug: 'beauty',
    name: 'Beauty & Personal Care',
    skuPrefix: 'BEAU',
    brands: ['Lumière', 'Verdant', 'Solène', 'Pure Theory', 'Aalto Skin'],
    modifiers: ['Hydrating', 'Gentle', 'Revitalizing', 'Fragrance-Free', 'Vitamin C', 'Overnight'],
    nouns: [
      'Face Cream',
      'Cleanser',
      'Serum',
      'Shampoo',
      'Conditioner',
      'Body Lotion',
      'Lip Balm',
      'Sunscreen SPF 50',
      'Hand Cream',
      'Face Mask',
    ],
    features: [
      'Dermatologically tested for sensitive skin',
      'Vegan and cruelty-free',
      'Absorbs quickly without a greasy feel',
      'With hyaluronic acid and aloe vera',
      'Recyclable packaging',
      'Free from parabens and sulfates',
      'Suitable for daily use morning and night',
    ],
    price: [5, 90],
  },
  {
    slug: 'clothing',
    name: 'Clothing',
    skuPrefix: 'CLTH',
    brands: ['Northloom', 'Atelier Rue', 'Bramble', 'Coastline', 'Kindred'],
    modifiers: ['Merino', 'Organic Cotton', 'Linen', 'Fleece', 'Denim', 'Cashmere'],
    nouns: [
      'T-Shirt',
      'Hoodie',
      'Sweater',
      'Jacket',
      'Socks (3 Pack)',
      'Scarf',
      'Beanie',
      'Chinos',
      'Shirt',
      'Cardigan',
    ],
    features: [
      'Relaxed fit that keeps its shape wash after wash',
      'Breathable and soft against the skin',
      'Ethically made in small batches',
      'Machine washable at 30 °C',
      'Available in seasonal colours',
      'Reinforced seams for a longer life',
      'Designed to layer in every season',
    ],
    price: [10, 260],
  },
  {
    slug: 'garden',
    name: 'Garden & Patio',
    skuPrefix: 'GRDN',
    brands: ['Greenhaven', 'Fernwood', 'Terra & Bloom', 'Sunpatch', 'Willowmere'],
    modifiers: ['Heavy-Duty', 'Solar', 'Foldable', 'Weatherproof', 'Raised', 'Self-Watering'],
    nouns: [
      'Planter',
      'Garden Hose',
      'Pruning Shears',
      'Lantern',
      'Bird Feeder',
      'Watering Can',
      'Compost Bin',
      'Garden Bench',
      'String Lights',
      'Seed Starter Kit',
    ],
    features: [
      'UV-stabilised to resist fading in the sun',
      'Frost resistant and built to last outdoors',
      'Assembles in minutes without tools',
      'Made from recycled plastics',
      'Charges by day and glows all night',
      'Rust-proof fittings',
      'Loved by beginners and seasoned gardeners alike',
    ],
    price: [6, 320],
  },
  {
    slug: 'office',
    name: 'Office Supplies',
    skuPrefix: 'OFFC',
    brands: ['Quillmark', 'Deskwell', 'Papyra', 'Ledgerline', 'Inkbound'],
    modifiers: ['Ergonomic', 'Recycled', 'Premium', 'Minimalist', 'Adjustable', 'Refillable'],
    nouns: [
      'Notebook',
      'Fountain Pen',
      'Desk Organizer',
      'Monitor Stand',
      'Desk Lamp',
      'Planner',
      'Stapler',
      'Whiteboard',
      'Office Chair',
      'Pencil Set',
    ],
    features: [
      'Keeps your desk tidy and your focus sharp',
      '120 gsm paper that takes fountain pen ink without bleeding',
      'Height adjustable for healthy posture',
      'Made from FSC-certified materials',
      'Refills available separately',
      'Sturdy enough for daily office use',
      'Clean lines that suit any workspace',
    ],
    price: [3, 420],
  },
  {
    slug: 'pet-supplies',
    name: 'Pet Supplies',
    skuPrefix: 'PETS',
    brands: ['Pawsome', 'Whisker & Wag', 'Barkley', 'Furrow', 'Tailwind'],
    modifiers: ['Orthopedic', 'Chew-Proof', 'Washable', 'Reflective', 'Interactive', 'Calming'],
    nouns: [
      'Dog Bed',
      'Cat Tree',
      'Leash',
      'Collar',
      'Feeding Bowl',
      'Puzzle Toy',
      'Grooming Brush',
      'Pet Carrier',
      'Scratching Post',
      'Travel Water Bottle',
    ],
    features: [
      'Vet-approved design for everyday comfort',
      'Non-slip base keeps it in place',
      'Removable cover goes in the washing machine',
      'Made from food-grade, BPA-free materials',
      'Sized for small, medium and large breeds',
      'Keeps busy pets entertained for hours',
      'Reflective stitching for evening walks',
    ],
    price: [4, 180],
  },
];

/** mulberry32: a tiny seeded generator; the same seed always gives the same sequence. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** The first `count` items of a seeded Fisher-Yates shuffle (engine-independent, unlike a random sort). */
function sample<T>(random: () => number, items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

/** Builds the catalog. Pure and deterministic: no clock, no `Math.random`. */
export function buildCatalog(seed = 20261124): SeedCatalog {
  const random = seededRandom(seed);
  const categories: SeedCategory[] = WORDS.map(({ slug, name }) => ({ slug, name }));
  const products: SeedProduct[] = [];
  for (const words of WORDS) {
    const names = new Set<string>();
    while (names.size < PRODUCTS_PER_CATEGORY) {
      names.add(
        `${pick(random, words.brands)} ${pick(random, words.modifiers)} ${pick(random, words.nouns)}`,
      );
    }
    [...names].forEach((name, index) => {
      const features = sample(random, words.features, 3);
      const [low, high] = words.price;
      // Whole dollars less a cent: 24.99, 119.99...
      const dollars = low + Math.floor(random() * (high - low + 1));
      const priceMinor = dollars * 100 - 1;
      products.push({
        sku: `${words.skuPrefix}-${String(index + 1).padStart(4, '0')}`,
        name,
        description: `${name}. ${features.join('. ')}.`,
        priceMinor,
        price: money(priceMinor, 'USD').amount,
        categorySlug: words.slug,
        // Roughly one product in eight starts out of stock.
        initialStock: random() < 0.125 ? 0 : 5 + Math.floor(random() * 116),
      });
    });
  }
  return { categories, products };
}

/** The demo catalog (see {@link buildCatalog}). */
export const catalog: SeedCatalog = buildCatalog();
