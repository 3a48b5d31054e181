# profiles_twins.jq — canonical claims (JSON Lines, `arbiter gen claims`)
# written as the stdlib input profiles read them, for bench/profiles.sh:
#   jq -c --arg form nhsa3101 -f profiles_twins.jq   → one 3101 request a line
#   jq -r --arg form his_csv_zh -f profiles_twins.jq → CSV rows (no header)
# Values are spelled as real senders do: codes and labels for enums, dates
# with a space, numbers as strings.
def dt: if . == null then null else sub("T"; " ") end;
def sexcode: {"M": "1", "F": "2", "U": "9"}[.];
def inscode: {"employee": "310", "resident": "390", "maternity": "510"}[.] // .;
def carecode: {"outpatient": "11", "chronic_outpatient": "14", "inpatient": "21"}[.] // .;
def kindcode: {"drug": "101", "herb": "102", "service": "201", "consumable": "301"}[.];
def kindzh: {"drug": "药品", "herb": "中药饮片", "service": "医疗服务项目", "consumable": "医用耗材"}[.];
def inszh: {"employee": "城镇职工基本医疗保险", "resident": "城乡居民基本医疗保险"}[.] // .;
def carezh: {"outpatient": "门诊", "chronic_outpatient": "门诊慢病", "inpatient": "普通住院"}[.] // .;
def s: if . == null then "" else tostring end;
def csvcell: s | if test("[,\"\n]") then "\"" + gsub("\""; "\"\"") + "\"" else . end;
. as $c
| if $form == "nhsa3101" then
    {infno: "3101", msgid: ("M" + $c.claim_id), inf_time: ($c.settle_time | dt),
     fixmedins_code: $c.facility_id, fixmedins_name: "示例医院",
     input: {data: {syscode: "HIS", rule_ids: [], task_id: "T1", trig_scen: "4",
      patient_dtos: [{patn_id: $c.person_id, patn_name: "某某", gend: ($c.sex | sexcode),
       brdy: $c.birth_date, poolarea: "440100",
       fsi_encounter_dtos: [{mdtrt_id: $c.claim_id, medins_id: $c.facility_id,
        medins_name: "示例医院", medins_lv: "05", insutype: ($c.insurance_type | inscode),
        med_type: ($c.care_type | carecode), adm_dept_name: $c.dept, adm_dept_codg: "0301",
        dr_codg: $c.doctor, adm_date: ($c.admit_time | dt),
        dscg_date: (($c.discharge_time | dt) // "9999-12-31 00:00:00"),
        medfee_sumamt: $c.total_amount, hifp_payamt: $c.fund_amount, ownpay_amt: "0.00",
        fsi_diagnose_dtos: [$c.diagnoses[]? | {dise_id: "1", dise_codg: .code,
          dise_name: (.name // null), maindise_flag: (if .is_main then "1" else "0" end)}],
        fsi_operation_dtos: [$c.procedures[]? | {oprn_code: .code, oprn_date: (.date // null),
          main_oprn_flag: (if .is_main then "1" else "0" end)}],
        fsi_order_dtos: [$c.lines[] | {rx_id: (.order_no // ""), rxno: (.rx_group // ""),
          grpno: "1", long_drord_flag: "0", hilist_code: .item_code,
          hilist_name: .item_name, hilist_type: (.item_kind | kindcode),
          drord_begn_date: (.time | dt), cnt: (.quantity | tostring), pric: .unit_price,
          sumamt: .amount, drord_dept_name: .dept, drord_dr_codg: .doctor,
          curr_drord_flag: "1", spec: "", hilist_lv: "1"}]}]}]}}}
  else
    $c.lines[] as $l
    | [$c.claim_id, $c.person_id, ({"M": "男", "F": "女", "U": "未知"}[$c.sex]), $c.birth_date,
       ($c.insurance_type | inszh), ($c.care_type | carezh), $c.facility_id, $c.facility_level,
       $c.dept, $c.doctor, ($c.admit_time | dt), ($c.discharge_time | dt), ($c.settle_time | dt),
       $c.total_amount, $c.fund_amount, ($c.diagnoses[0].code), ($c.diagnoses[0].name),
       $l.item_code, $l.item_name, ($l.item_kind | kindzh), ($l.time | dt), $l.quantity,
       $l.unit_price, $l.amount, $l.dept, $l.doctor, $l.order_no, $l.rx_group, $l.days_supply,
       $l.dose, $l.frequency, $l.route, ""]
    | map(csvcell) | join(",")
  end
