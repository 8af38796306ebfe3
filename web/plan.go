package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// PlanData feeds the mass handling plan form.
type PlanData struct {
	Plan      *market.Plan
	Rows      []planRow
	Fractions []string
	Units     []string
	Uses      []string
}

type planRow struct {
	I                                   int
	Direction, Fraction, Quantity, Unit string
	From, To, Use, Note                 string
	ListingID                           string
}

const planBlankRows = 4

func (u *UI) planData(c *fiber.Ctx, p *market.Plan, rows []planRow) *PlanData {
	if rows == nil {
		for i, l := range p.Lines {
			r := planRow{I: i, Direction: l.Direction, Fraction: l.Fraction, Quantity: strconv.FormatFloat(l.QuantityValue, 'f', -1, 64), Unit: l.QuantityUnit,
				From: l.PeriodFrom.Format("2006-01"), To: l.PeriodTo.Format("2006-01"), Use: l.IntendedUse, Note: l.Note}
			if l.ListingID != nil {
				r.ListingID = *l.ListingID
			}
			rows = append(rows, r)
		}
	}
	for i := 0; i < planBlankRows; i++ {
		rows = append(rows, planRow{I: len(rows), Direction: "cut", Unit: market.Tonnes})
	}
	return &PlanData{Plan: p, Rows: rows, Fractions: fractionCodes(), Units: market.Units, Uses: market.Uses}
}

func (u *UI) planPage(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	st, err := u.A.Directory.EditableSite(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	p, err := u.A.Market.Plan(ctx, st.ID)
	if err != nil {
		return err
	}
	return u.render(c, "plan", u.page(c, httpx.Loc(c).T("PlanTitle"), u.planData(c, p, nil)))
}

// planSave replaces the plan, as PUT …/plan does.
func (u *UI) planSave(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	st, err := u.A.Directory.EditableSite(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	in := &market.PlanInput{Publish: c.FormValue("publish") == "on"}
	var rows []planRow
	v := &fail.Validation{}
	for i := 0; i < market.MaxPlanLines+planBlankRows; i++ {
		k := strconv.Itoa(i)
		r := planRow{I: len(rows), Direction: c.FormValue("dir_" + k), Fraction: c.FormValue("frac_" + k), Quantity: strings.TrimSpace(c.FormValue("qty_" + k)),
			Unit: c.FormValue("unit_" + k), From: c.FormValue("from_" + k), To: c.FormValue("to_" + k), Use: c.FormValue("use_" + k), Note: c.FormValue("note_" + k)}
		if r.Fraction == "" && r.Quantity == "" {
			continue
		}
		q, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(r.Quantity, " ", ""), ",", "."), 64)
		if err != nil {
			v.Add("lines["+strconv.Itoa(len(rows))+"].quantity", "type", "ErrFieldType", "Expected", "number")
		}
		rows = append(rows, r)
		in.Lines = append(in.Lines, market.PlanLineInput{Direction: r.Direction, Fraction: r.Fraction, Quantity: q, Unit: r.Unit, PeriodFrom: r.From, PeriodTo: r.To, IntendedUse: r.Use, Note: r.Note})
	}
	err = v.Err()
	if err == nil {
		_, err = u.A.Market.SavePlan(ctx, st.ID, in)
	}
	if err != nil {
		p, perr := u.A.Market.Plan(ctx, st.ID)
		if perr != nil {
			return perr
		}
		return u.formFailed(c, "plan", u.page(c, httpx.Loc(c).T("PlanTitle"), u.planData(c, p, rows)), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/sites/"+st.ID+"/plan?notice=Saved", fiber.StatusSeeOther)
}
