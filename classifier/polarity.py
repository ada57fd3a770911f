"""A small hand-written lexicon of evaluative Vietnamese words, for negation.

The negated-words block learns "không nhiệt tình" only from training texts that
negate "nhiệt tình" itself. Two more columns generalise: one counts negated
praise words, one negated complaint words, whatever the word, so that "cán bộ
không niềm nở" reads as a complaint even if the corpus never negated
"niềm nở". Words are accented and lower-case, as features.Restorer gives them;
an entry of several syllables (written with underscores) matches them in a row.
"""

PRAISE = frozenset("""
tốt tuyệt ổn đẹp nhanh gọn sạch sạch_sẽ rõ rõ_ràng chuẩn đủ đầy_đủ kịp kịp_thời đúng đúng_hẹn
nhiệt_tình tận_tình tận_tâm chu_đáo chuyên_nghiệp thân_thiện vui_vẻ niềm_nở lịch_sự nhã_nhặn
hòa_nhã ân_cần chỉn_chu tử_tế nghiêm_túc trách_nhiệm công_bằng minh_bạch liêm_chính trong_sạch
hài_lòng tôn_trọng dễ_hiểu dễ_chịu thuận_tiện tiện_lợi an_toàn hợp_lý chính_xác hiệu_quả
nhanh_chóng gọn_gàng thoáng thoáng_mát mát_mẻ rộng_rãi sáng_sủa khang_trang ngăn_nắp
chu_toàn đàng_hoàng được_việc chịu_khó tích_cực kiên_nhẫn nhẹ_nhàng tế_nhị
khen hiểu
""".split())

COMPLAINT = frozenset("""
tệ kém dở chậm lâu bẩn khó khó_khăn phiền phiền_hà rườm_rà lằng_nhằng rắc_rối
hách_dịch cáu_gắt quát quát_tháo gắt_gỏng cửa_quyền thô_lỗ hỗn láo xấc_xược khinh_thường
vô_cảm thờ_ơ lạnh_lùng làm_khó khó_dễ gây_khó nhũng_nhiễu vòi_vĩnh tiêu_cực sách_nhiễu
chậm_trễ trễ trễ_hẹn ồn ào ồn_ào mất_trật_tự lộn_xộn tắc tắc_đường kẹt_xe ùn_tắc
chật chật_chội nóng nóng_bức bừa_bộn xuống_cấp hỏng hư nguy_hiểm
thất_vọng bực bực_mình bức_xúc khó_chịu phàn_nàn chê lo lo_lắng sợ sai vô_lý
thiếu thiếu_sót quấy_rối đánh_nhau trộm cướp
""".split())


# Each entry as its tuple of syllables -> "<praise>" or "<complaint>".
ENTRIES = {tuple(entry.split("_")): key for key, words in (("<praise>", PRAISE), ("<complaint>", COMPLAINT))
           for entry in words}
LONGEST = max(map(len, ENTRIES))


def polarity_at(words, i):
    """(key, length) of the lexicon entry that starts at words[i], longest
    first, or None: key "<praise>" or "<complaint>"."""
    for length in range(min(LONGEST, len(words) - i), 0, -1):
        key = ENTRIES.get(tuple(words[i:i + length]))
        if key is not None:
            return key, length
    return None
