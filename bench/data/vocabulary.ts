/** Words the data generator builds names, descriptions and translations from. */

export interface Word {
  en: string;
  fr: string;
  de: string;
}

export const ADJECTIVES: readonly string[] = [
  'Merino', 'Linen', 'Organic', 'Classic', 'Vintage', 'Urban', 'Alpine', 'Coastal',
  'Everyday', 'Heritage', 'Nordic', 'Soft', 'Relaxed', 'Tailored', 'Recycled', 'Brushed',
];

export const COLORS: readonly Word[] = [
  { en: 'Red', fr: 'Rouge', de: 'Rot' },
  { en: 'Navy', fr: 'Marine', de: 'Marine' },
  { en: 'Black', fr: 'Noir', de: 'Schwarz' },
  { en: 'White', fr: 'Blanc', de: 'Weiß' },
  { en: 'Olive', fr: 'Olive', de: 'Oliv' },
  { en: 'Sand', fr: 'Sable', de: 'Sand' },
  { en: 'Grey', fr: 'Gris', de: 'Grau' },
  { en: 'Rust', fr: 'Rouille', de: 'Rost' },
  { en: 'Forest', fr: 'Forêt', de: 'Waldgrün' },
  { en: 'Cream', fr: 'Crème', de: 'Creme' },
  { en: 'Sky', fr: 'Ciel', de: 'Himmelblau' },
  { en: 'Charcoal', fr: 'Anthracite', de: 'Anthrazit' },
];

export const NOUNS: readonly (Word & { hsCode: string; customs: string; grams: [number, number] })[] = [
  { en: 'Sweater', fr: 'Pull', de: 'Pullover', hsCode: '6110.11', customs: 'Knitted jersey of wool', grams: [300, 700] },
  { en: 'T-Shirt', fr: 'T-shirt', de: 'T-Shirt', hsCode: '6109.10', customs: 'Cotton T-shirt', grams: [120, 250] },
  { en: 'Hoodie', fr: 'Sweat à capuche', de: 'Kapuzenpullover', hsCode: '6110.20', customs: 'Knitted sweatshirt of cotton', grams: [400, 800] },
  { en: 'Jacket', fr: 'Veste', de: 'Jacke', hsCode: '6201.40', customs: 'Outer jacket', grams: [600, 1600] },
  { en: 'Scarf', fr: 'Écharpe', de: 'Schal', hsCode: '6117.10', customs: 'Knitted scarf', grams: [100, 300] },
  { en: 'Beanie', fr: 'Bonnet', de: 'Mütze', hsCode: '6505.00', customs: 'Knitted hat', grams: [60, 150] },
  { en: 'Tote Bag', fr: 'Sac cabas', de: 'Tragetasche', hsCode: '4202.22', customs: 'Textile shopping bag', grams: [150, 400] },
  { en: 'Mug', fr: 'Tasse', de: 'Becher', hsCode: '6912.00', customs: 'Ceramic mug', grams: [250, 450] },
  { en: 'Notebook', fr: 'Carnet', de: 'Notizbuch', hsCode: '4820.10', customs: 'Paper notebook', grams: [150, 400] },
  { en: 'Candle', fr: 'Bougie', de: 'Kerze', hsCode: '3406.00', customs: 'Wax candle', grams: [200, 600] },
  { en: 'Socks', fr: 'Chaussettes', de: 'Socken', hsCode: '6115.94', customs: 'Knitted socks of wool', grams: [50, 120] },
  { en: 'Cap', fr: 'Casquette', de: 'Kappe', hsCode: '6505.00', customs: 'Cotton cap', grams: [80, 160] },
  { en: 'Cardigan', fr: 'Gilet', de: 'Strickjacke', hsCode: '6110.11', customs: 'Knitted cardigan of wool', grams: [350, 750] },
  { en: 'Shirt', fr: 'Chemise', de: 'Hemd', hsCode: '6205.20', customs: 'Woven cotton shirt', grams: [200, 350] },
  { en: 'Blanket', fr: 'Couverture', de: 'Decke', hsCode: '6301.20', customs: 'Wool blanket', grams: [900, 2000] },
  { en: 'Backpack', fr: 'Sac à dos', de: 'Rucksack', hsCode: '4202.92', customs: 'Textile backpack', grams: [500, 1200] },
];

export const MATERIALS: readonly string[] = [
  'merino wool', 'organic cotton', 'washed linen', 'recycled polyester', 'cashmere blend',
  'stoneware ceramic', 'waxed canvas', 'vegetable-tanned leather', 'soy wax', 'bamboo fibre',
];

export const TAGS: readonly string[] = [
  'summer', 'winter', 'wool', 'cotton', 'sale', 'new', 'organic', 'bestseller',
  'gift', 'limited', 'eco', 'unisex', 'handmade', 'vegan', 'premium', 'basics',
];

/** Collection slug, English name, French and German names. */
export const COLLECTIONS: readonly [string, string, string, string][] = [
  ['new-arrivals', 'New Arrivals', 'Nouveautés', 'Neuheiten'],
  ['summer', 'Summer', 'Été', 'Sommer'],
  ['winter', 'Winter', 'Hiver', 'Winter'],
  ['sale', 'Sale', 'Soldes', 'Sale'],
  ['bestsellers', 'Bestsellers', 'Meilleures ventes', 'Bestseller'],
  ['gifts', 'Gifts', 'Cadeaux', 'Geschenke'],
  ['outerwear', 'Outerwear', 'Vêtements d\'extérieur', 'Oberbekleidung'],
  ['knitwear', 'Knitwear', 'Tricots', 'Strickwaren'],
  ['accessories', 'Accessories', 'Accessoires', 'Accessoires'],
  ['home', 'Home & Living', 'Maison', 'Wohnen'],
  ['eco', 'Eco Collection', 'Collection éco', 'Öko-Kollektion'],
  ['limited-edition', 'Limited Edition', 'Édition limitée', 'Limitierte Edition'],
];

export const SIZES: readonly string[] = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];

export const FIRST_NAMES: readonly string[] = [
  'Ana', 'Ben', 'Chloé', 'David', 'Elif', 'Farah', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kenji', 'Lena',
  'Marco', 'Nadia', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe',
];

export const LAST_NAMES: readonly string[] = [
  'Almeida', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Hansen', 'Ivanova', 'Jensen',
  'Kowalski', 'Lambert', 'Müller', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Schmidt', 'Tanaka', 'Weber',
];

export const CITIES: readonly [string, string, string][] = [
  ['US', 'Portland', '97205'], ['US', 'Austin', '78701'], ['GB', 'Leeds', 'LS1 4AP'], ['DE', 'Leipzig', '04109'],
  ['FR', 'Lyon', '69002'], ['PT', 'Porto', '4050-029'], ['NL', 'Utrecht', '3511 LX'], ['SE', 'Malmö', '211 22'],
];
