package agreement

// The built-in contract templates (version 0 of each key and language). A
// tenant admin edits a copy: the copy is version 1, the next edit 2, and so
// on; an agreement keeps the version it was written on.
//
// Fields are written {{name}}, where name is a term (terms.go) or one of
// the derived fields (fieldValues). A field without a value stops a
// proposal, an acceptance and a signature, naming the term.

// TemplateKeys are the three kinds of agreement.
var TemplateKeys = []string{"delivery", "receipt", "storage"}

// Locales of templates.
var Locales = []string{"nb", "nn", "en"}

type defaultText struct{ title, body string }

var defaults = map[string]map[string]defaultText{
	"delivery": {
		"nb": {"Avtale om levering av overskuddsmasser", `AVTALE OM LEVERING AV OVERSKUDDSMASSER
Avtale nr. {{number}}

1. Parter
Leverandør (selger): {{supplier_name}}, org.nr. {{supplier_org_number}}, prosjekt/anlegg: {{supplier_site}}.
Mottaker (kjøper): {{receiver_name}}, org.nr. {{receiver_org_number}}, prosjekt/anlegg: {{receiver_site}}.

2. Avtalens gjenstand
Leverandøren selger og leverer {{fractions}} i tilstandsklasse {{condition_class}} (Miljødirektoratets veileder TA-2553) til mottakeren. Massene er beskrevet i annonse(r) {{listings}} og i analyserapporter og dokumenter det vises til: {{samples}} {{documents}}.

3. Mengde
Avtalt mengde er cirka {{quantity_tonnes}} tonn ({{quantity_m3}} m³ {{volume_state}}, omregnet med densitet {{density}} t/m³). "Cirka" betyr at levert mengde kan avvike med inntil ± {{tolerance_pct}} % uten at det regnes som mangel eller gir grunnlag for prisendring.

4. Pris og betaling
Pris: {{price}} per {{price_unit}} eks. mva. {{payment}} Betaling skjer etter fakturagrunnlag fra plattformen per måned, med betalingsfrist 30 dager.

5. Periode og leveringssted
Leveranser skjer i perioden {{period_from}} til {{period_to}}. Leveringssted er {{delivery_point}} (kjøpsloven §§ 6–7). Åpningstider for mottak: {{opening_hours}}. Transport: {{transport}}.

6. Risiko
Risikoen for massene går over til mottakeren når hvert lass er tippet på leveringsstedet og godkjent ved mottakskontroll (kjøpsloven § 13).

7. Kvalitet og mottakskontroll
Krav til kvalitet: {{quality_requirements}}. Mottakeren kontrollerer hvert lass visuelt ved mottak (avfallsforskriften § 9-11): {{visual_check}}. Det tas prøve av hvert {{sample_every_n_loads}}. lass. Mottakeren skal undersøke massene så snart det er rimelig anledning til det (kjøpsloven § 31) og reklamere skriftlig innen rimelig tid etter at mangelen ble eller burde blitt oppdaget (kjøpsloven § 32).

8. Avviste lass
{{rejected_load}} Et avvist lass returneres for leverandørens regning og risiko.

9. Fremmede organismer
{{invasive_species}} Maskiner og kjøretøy som flytter masser, rengjøres etter forskrift om fremmede organismer § 24.

10. Avbestilling og mislighold
Partene kan avbestille ikke leverte mengder med 30 dagers skriftlig varsel. Ved vesentlig mislighold kan den andre parten heve avtalen. Endringer i avtalen gjøres skriftlig som tillegg som begge parter signerer.

11. Annet
{{free_text}}

Avtalen er inngått elektronisk på plattformen. Hver part signerer ved sin signaturberettigede; dokumentets hash står på signatursiden.`},
		"nn": {"Avtale om levering av overskotsmassar", `AVTALE OM LEVERING AV OVERSKOTSMASSAR
Avtale nr. {{number}}

1. Partar
Leverandør (seljar): {{supplier_name}}, org.nr. {{supplier_org_number}}, prosjekt/anlegg: {{supplier_site}}.
Mottakar (kjøpar): {{receiver_name}}, org.nr. {{receiver_org_number}}, prosjekt/anlegg: {{receiver_site}}.

2. Kva avtalen gjeld
Leverandøren sel og leverer {{fractions}} i tilstandsklasse {{condition_class}} (rettleiaren TA-2553 frå Miljødirektoratet) til mottakaren. Massane er skildra i annonse(r) {{listings}} og i analyserapportar og dokument det blir vist til: {{samples}} {{documents}}.

3. Mengd
Avtalt mengd er om lag {{quantity_tonnes}} tonn ({{quantity_m3}} m³ {{volume_state}}, rekna om med densitet {{density}} t/m³). "Om lag" tyder at levert mengd kan avvike med inntil ± {{tolerance_pct}} % utan at det blir rekna som mangel eller gir grunnlag for prisendring.

4. Pris og betaling
Pris: {{price}} per {{price_unit}} eks. mva. {{payment}} Betaling skjer etter fakturagrunnlag frå plattforma per månad, med betalingsfrist 30 dagar.

5. Periode og leveringsstad
Leveransar skjer i perioden {{period_from}} til {{period_to}}. Leveringsstad er {{delivery_point}} (kjøpslova §§ 6–7). Opningstider for mottak: {{opening_hours}}. Transport: {{transport}}.

6. Risiko
Risikoen for massane går over til mottakaren når kvart lass er tippa på leveringsstaden og godkjent ved mottakskontroll (kjøpslova § 13).

7. Kvalitet og mottakskontroll
Krav til kvalitet: {{quality_requirements}}. Mottakaren kontrollerer kvart lass visuelt ved mottak (avfallsforskrifta § 9-11): {{visual_check}}. Det blir teke prøve av kvart {{sample_every_n_loads}}. lass. Mottakaren skal undersøkje massane så snart det er rimeleg høve til det (kjøpslova § 31) og reklamere skriftleg innan rimeleg tid etter at mangelen vart eller burde vore oppdaga (kjøpslova § 32).

8. Avviste lass
{{rejected_load}} Eit avvist lass blir returnert for rekninga og risikoen til leverandøren.

9. Framande organismar
{{invasive_species}} Maskinar og køyretøy som flyttar massar, blir reinsa etter forskrift om framande organismar § 24.

10. Avbestilling og mishald
Partane kan avbestille mengder som ikkje er leverte, med 30 dagars skriftleg varsel. Ved vesentleg mishald kan den andre parten heve avtalen. Endringar i avtalen blir gjorde skriftleg som tillegg som begge partar signerer.

11. Anna
{{free_text}}

Avtalen er inngått elektronisk på plattforma. Kvar part signerer ved den som har signaturrett; hashen til dokumentet står på signatursida.`},
		"en": {"Agreement on the delivery of surplus masses", `AGREEMENT ON THE DELIVERY OF SURPLUS MASSES
Agreement no. {{number}}

1. Parties
Supplier (seller): {{supplier_name}}, org. no. {{supplier_org_number}}, project/facility: {{supplier_site}}.
Receiver (buyer): {{receiver_name}}, org. no. {{receiver_org_number}}, project/facility: {{receiver_site}}.

2. Subject
The supplier sells and delivers {{fractions}} of condition class {{condition_class}} (Norwegian Environment Agency guideline TA-2553) to the receiver. The masses are described in listing(s) {{listings}} and in the lab reports and documents referred to: {{samples}} {{documents}}.

3. Quantity
The agreed quantity is approximately {{quantity_tonnes}} tonnes ({{quantity_m3}} m³ {{volume_state}}, converted at a density of {{density}} t/m³). "Approximately" means the delivered quantity may differ by up to ± {{tolerance_pct}} % without being a defect or a ground for a change of price.

4. Price and payment
Price: {{price}} per {{price_unit}} excl. VAT. {{payment}} Payment is made on the platform's monthly invoice basis, due in 30 days.

5. Period and place of delivery
Deliveries take place from {{period_from}} to {{period_to}}. The place of delivery is {{delivery_point}} (Sale of Goods Act §§ 6–7). Receiving hours: {{opening_hours}}. Transport: {{transport}}.

6. Risk
The risk passes to the receiver when each load has been tipped at the place of delivery and passed the receipt control (Sale of Goods Act § 13).

7. Quality and receipt control
Quality requirements: {{quality_requirements}}. The receiver visually checks every load on receipt (Waste Regulations § 9-11): {{visual_check}}. A sample is taken of every {{sample_every_n_loads}}th load. The receiver shall inspect the masses as soon as there is reasonable opportunity (Sale of Goods Act § 31) and give written notice of a defect within a reasonable time after it was or ought to have been discovered (§ 32).

8. Rejected loads
{{rejected_load}} A rejected load is returned at the supplier's cost and risk.

9. Invasive species
{{invasive_species}} Machines and vehicles moving masses are cleaned as required by the Regulations on Alien Organisms § 24.

10. Cancellation and breach
The parties may cancel quantities not yet delivered with 30 days' written notice. In case of material breach the other party may terminate the agreement. Changes are made in writing as amendments both parties sign.

11. Other terms
{{free_text}}

This agreement was made electronically on the platform. Each party signs through its authorised signatory; the document hash is shown on the signature page.`},
	},
	"receipt": {
		"nb": {"Avtale om mottak av masser", `AVTALE OM MOTTAK AV MASSER
Avtale nr. {{number}}

1. Parter
Avsender (leverandør av massene): {{supplier_name}}, org.nr. {{supplier_org_number}}, prosjekt: {{supplier_site}}.
Mottaksanlegg: {{receiver_name}}, org.nr. {{receiver_org_number}}, anlegg: {{receiver_site}} (deponi, mellomlager eller gjenvinningsanlegg med tillatelse til å ta imot massene).

2. Avtalens gjenstand
Mottaksanlegget tar imot {{fractions}} i tilstandsklasse {{condition_class}} fra avsenderen, beskrevet i annonse(r) {{listings}} og i dokumentasjonen det vises til: {{samples}} {{documents}}. Dokumentasjonen skal være godkjent av mottaksanlegget før første lass.

3. Mengde
Cirka {{quantity_tonnes}} tonn ({{quantity_m3}} m³ {{volume_state}}, densitet {{density}} t/m³), ± {{tolerance_pct}} %. Hvert lass veies på kontrollert vekt ved mottak.

4. Mottaksgebyr
Mottaksgebyr: {{price}} per {{price_unit}} eks. mva. {{payment}} Fakturering skjer månedlig etter fakturagrunnlag fra plattformen.

5. Periode, åpningstider og transport
Mottak i perioden {{period_from}} til {{period_to}} på {{delivery_point}}, innenfor åpningstidene {{opening_hours}}. Transport: {{transport}}.

6. Mottakskontroll
Krav til massene: {{quality_requirements}}. Mottaksanlegget kontrollerer hvert lass visuelt (avfallsforskriften § 9-11): {{visual_check}}, og tar prøve av hvert {{sample_every_n_loads}}. lass. Lass uten egenerklæring kan prises som forurenset.

7. Avviste lass
{{rejected_load}} Et lass som ikke oppfyller avtalen, avvises og returneres for avsenderens regning.

8. Fremmede organismer
{{invasive_species}} Kjøretøy og maskiner rengjøres etter forskrift om fremmede organismer § 24.

9. Avbestilling
Avtalen kan sies opp med 30 dagers skriftlig varsel. Endringer gjøres som tillegg som begge parter signerer.

10. Annet
{{free_text}}

Avtalen er inngått elektronisk på plattformen og signert av begge parters signaturberettigede.`},
		"nn": {"Avtale om mottak av massar", `AVTALE OM MOTTAK AV MASSAR
Avtale nr. {{number}}

1. Partar
Avsendar (leverandør av massane): {{supplier_name}}, org.nr. {{supplier_org_number}}, prosjekt: {{supplier_site}}.
Mottaksanlegg: {{receiver_name}}, org.nr. {{receiver_org_number}}, anlegg: {{receiver_site}} (deponi, mellomlager eller gjenvinningsanlegg med løyve til å ta imot massane).

2. Kva avtalen gjeld
Mottaksanlegget tek imot {{fractions}} i tilstandsklasse {{condition_class}} frå avsendaren, skildra i annonse(r) {{listings}} og i dokumentasjonen det blir vist til: {{samples}} {{documents}}. Dokumentasjonen skal vere godkjend av mottaksanlegget før første lass.

3. Mengd
Om lag {{quantity_tonnes}} tonn ({{quantity_m3}} m³ {{volume_state}}, densitet {{density}} t/m³), ± {{tolerance_pct}} %. Kvart lass blir vege på kontrollert vekt ved mottak.

4. Mottaksgebyr
Mottaksgebyr: {{price}} per {{price_unit}} eks. mva. {{payment}} Fakturering skjer månadleg etter fakturagrunnlag frå plattforma.

5. Periode, opningstider og transport
Mottak i perioden {{period_from}} til {{period_to}} på {{delivery_point}}, innanfor opningstidene {{opening_hours}}. Transport: {{transport}}.

6. Mottakskontroll
Krav til massane: {{quality_requirements}}. Mottaksanlegget kontrollerer kvart lass visuelt (avfallsforskrifta § 9-11): {{visual_check}}, og tek prøve av kvart {{sample_every_n_loads}}. lass. Lass utan eigenerklæring kan bli prisa som forureina.

7. Avviste lass
{{rejected_load}} Eit lass som ikkje oppfyller avtalen, blir avvist og returnert for rekninga til avsendaren.

8. Framande organismar
{{invasive_species}} Køyretøy og maskinar blir reinsa etter forskrift om framande organismar § 24.

9. Avbestilling
Avtalen kan seiast opp med 30 dagars skriftleg varsel. Endringar blir gjorde som tillegg som begge partar signerer.

10. Anna
{{free_text}}

Avtalen er inngått elektronisk på plattforma og signert av dei som har signaturrett hos begge partar.`},
		"en": {"Agreement on the receipt of masses", `AGREEMENT ON THE RECEIPT OF MASSES
Agreement no. {{number}}

1. Parties
Sender (supplier of the masses): {{supplier_name}}, org. no. {{supplier_org_number}}, project: {{supplier_site}}.
Receiving facility: {{receiver_name}}, org. no. {{receiver_org_number}}, facility: {{receiver_site}} (a landfill, storage or recycling site permitted to receive the masses).

2. Subject
The facility receives {{fractions}} of condition class {{condition_class}} from the sender, described in listing(s) {{listings}} and in the documents referred to: {{samples}} {{documents}}. The documents shall be approved by the facility before the first load.

3. Quantity
Approximately {{quantity_tonnes}} tonnes ({{quantity_m3}} m³ {{volume_state}}, density {{density}} t/m³), ± {{tolerance_pct}} %. Every load is weighed on a verified scale on receipt.

4. Gate fee
Gate fee: {{price}} per {{price_unit}} excl. VAT. {{payment}} Invoicing is monthly on the platform's invoice basis.

5. Period, opening hours and transport
Receipt from {{period_from}} to {{period_to}} at {{delivery_point}}, within the opening hours {{opening_hours}}. Transport: {{transport}}.

6. Receipt control
Requirements: {{quality_requirements}}. The facility visually checks every load (Waste Regulations § 9-11): {{visual_check}}, and samples every {{sample_every_n_loads}}th load. Loads without a self-declaration may be priced as contaminated.

7. Rejected loads
{{rejected_load}} A load that does not meet this agreement is rejected and returned at the sender's cost.

8. Invasive species
{{invasive_species}} Vehicles and machines are cleaned as required by the Regulations on Alien Organisms § 24.

9. Cancellation
Either party may end the agreement with 30 days' written notice. Changes are made as amendments both parties sign.

10. Other terms
{{free_text}}

This agreement was made electronically on the platform and signed by both parties' authorised signatories.`},
	},
	"storage": {
		"nb": {"Avtale om mellomlagring", `AVTALE OM MELLOMLAGRING AV MASSER
Avtale nr. {{number}}

1. Parter
Eier av massene: {{supplier_name}}, org.nr. {{supplier_org_number}}, prosjekt: {{supplier_site}}.
Mellomlager: {{receiver_name}}, org.nr. {{receiver_org_number}}, anlegg: {{receiver_site}}.

2. Avtalens gjenstand
Mellomlageret tar imot og lagrer {{fractions}} i tilstandsklasse {{condition_class}} (annonse(r) {{listings}}; dokumentasjon: {{samples}} {{documents}}) for senere bruk. Massene holdes adskilt fra andre masser og merkes med avtalenummeret.

3. Mengde og lagringstid
Cirka {{quantity_tonnes}} tonn ({{quantity_m3}} m³ {{volume_state}}, densitet {{density}} t/m³), ± {{tolerance_pct}} %. Lagringsperioden er {{period_from}} til {{period_to}} og kan ikke overstige tre år; masser som ikke er hentet ved periodens slutt, behandles etter avtalens punkt 8.

4. Pris
Lagringsgebyr: {{price}} per {{price_unit}} eks. mva. {{payment}}

5. Mottak og utlevering
Mottak og utlevering på {{delivery_point}}, åpningstider {{opening_hours}}. Transport: {{transport}}.

6. Mottakskontroll
Krav til massene: {{quality_requirements}}. Hvert lass kontrolleres visuelt (avfallsforskriften § 9-11): {{visual_check}}. Prøve av hvert {{sample_every_n_loads}}. lass.

7. Avviste lass
{{rejected_load}} Avviste lass returneres for eierens regning.

8. Etter lagringstiden
Masser som ikke er hentet innen periodens slutt, kan mellomlageret etter skriftlig varsel disponere for eierens regning.

9. Fremmede organismer
{{invasive_species}} Rengjøring etter forskrift om fremmede organismer § 24.

10. Annet
{{free_text}}

Avtalen er inngått elektronisk på plattformen og signert av begge parters signaturberettigede.`},
		"nn": {"Avtale om mellomlagring", `AVTALE OM MELLOMLAGRING AV MASSAR
Avtale nr. {{number}}

1. Partar
Eigar av massane: {{supplier_name}}, org.nr. {{supplier_org_number}}, prosjekt: {{supplier_site}}.
Mellomlager: {{receiver_name}}, org.nr. {{receiver_org_number}}, anlegg: {{receiver_site}}.

2. Kva avtalen gjeld
Mellomlageret tek imot og lagrar {{fractions}} i tilstandsklasse {{condition_class}} (annonse(r) {{listings}}; dokumentasjon: {{samples}} {{documents}}) for seinare bruk. Massane blir haldne skilde frå andre massar og merkte med avtalenummeret.

3. Mengd og lagringstid
Om lag {{quantity_tonnes}} tonn ({{quantity_m3}} m³ {{volume_state}}, densitet {{density}} t/m³), ± {{tolerance_pct}} %. Lagringsperioden er {{period_from}} til {{period_to}} og kan ikkje vere lengre enn tre år; massar som ikkje er henta når perioden er over, blir handsama etter punkt 8.

4. Pris
Lagringsgebyr: {{price}} per {{price_unit}} eks. mva. {{payment}}

5. Mottak og utlevering
Mottak og utlevering på {{delivery_point}}, opningstider {{opening_hours}}. Transport: {{transport}}.

6. Mottakskontroll
Krav til massane: {{quality_requirements}}. Kvart lass blir kontrollert visuelt (avfallsforskrifta § 9-11): {{visual_check}}. Prøve av kvart {{sample_every_n_loads}}. lass.

7. Avviste lass
{{rejected_load}} Avviste lass blir returnerte for rekninga til eigaren.

8. Etter lagringstida
Massar som ikkje er henta innan perioden er over, kan mellomlageret etter skriftleg varsel disponere for rekninga til eigaren.

9. Framande organismar
{{invasive_species}} Reinsing etter forskrift om framande organismar § 24.

10. Anna
{{free_text}}

Avtalen er inngått elektronisk på plattforma og signert av dei som har signaturrett hos begge partar.`},
		"en": {"Agreement on intermediate storage", `AGREEMENT ON INTERMEDIATE STORAGE OF MASSES
Agreement no. {{number}}

1. Parties
Owner of the masses: {{supplier_name}}, org. no. {{supplier_org_number}}, project: {{supplier_site}}.
Storage site: {{receiver_name}}, org. no. {{receiver_org_number}}, facility: {{receiver_site}}.

2. Subject
The storage site receives and stores {{fractions}} of condition class {{condition_class}} (listing(s) {{listings}}; documents: {{samples}} {{documents}}) for later use. The masses are kept apart from other masses and marked with the agreement number.

3. Quantity and storage time
Approximately {{quantity_tonnes}} tonnes ({{quantity_m3}} m³ {{volume_state}}, density {{density}} t/m³), ± {{tolerance_pct}} %. The storage period is {{period_from}} to {{period_to}} and may not exceed three years; masses not collected by the end of the period are dealt with under clause 8.

4. Price
Storage fee: {{price}} per {{price_unit}} excl. VAT. {{payment}}

5. Receipt and collection
At {{delivery_point}}, opening hours {{opening_hours}}. Transport: {{transport}}.

6. Receipt control
Requirements: {{quality_requirements}}. Every load is visually checked (Waste Regulations § 9-11): {{visual_check}}. A sample of every {{sample_every_n_loads}}th load.

7. Rejected loads
{{rejected_load}} Rejected loads are returned at the owner's cost.

8. After the storage period
Masses not collected by the end of the period may, after written notice, be disposed of by the storage site at the owner's cost.

9. Invasive species
{{invasive_species}} Cleaning as required by the Regulations on Alien Organisms § 24.

10. Other terms
{{free_text}}

This agreement was made electronically on the platform and signed by both parties' authorised signatories.`},
	},
}
