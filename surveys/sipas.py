"""The standard public-service satisfaction questionnaire, modelled on Vietnam's SIPAS index.

SIPAS ("Chỉ số hài lòng về sự phục vụ hành chính") asks about access to the service, the
procedure, the officers, the result and overall satisfaction. Texts are survey content, in two
languages, not interface strings.
"""

from surveys.models import QuestionType

TITLE_VI = "Khảo sát mức độ hài lòng của người dân về sự phục vụ của cơ quan Công an"
TITLE_EN = "Survey of citizens' satisfaction with the service of the police"
DESCRIPTION_VI = (
    "Ông/bà vừa làm thủ tục hoặc liên hệ công tác tại đơn vị. Xin ông/bà dành khoảng 3 phút trả lời "
    "các câu hỏi dưới đây. Phiếu khảo sát hoàn toàn ẩn danh: không ghi tên, không lưu địa chỉ IP."
)
DESCRIPTION_EN = (
    "You have just used a service of this unit. Please take about 3 minutes to answer the questions below. "
    "The survey is fully anonymous: no name is asked and no IP address is stored."
)

# (type, criterion, required, has_other, text_vi, text_en, help_vi, help_en, options as (vi, en))
QUESTIONS = [
    (QuestionType.single, None, True, True,
     "Ông/bà đến đơn vị để làm việc gì?", "What did you come to the unit for?",
     "", "",
     [("Cấp, đổi căn cước / căn cước công dân", "Issuing or renewing an identity card"),
      ("Đăng ký thường trú, tạm trú, lưu trú", "Permanent, temporary or short-stay residence registration"),
      ("Định danh điện tử (VNeID)", "Electronic identification (VNeID)"),
      ("Đăng ký xe", "Vehicle registration"),
      ("Trình báo, tố giác, tin báo về tội phạm", "Reporting a crime or an incident")]),
    (QuestionType.multiple, "facilities", False, True,
     "Ông/bà biết thông tin về thủ tục qua những kênh nào?", "How did you learn about the procedure?",
     "Có thể chọn nhiều phương án.", "You may choose several answers.",
     [("Niêm yết tại trụ sở", "Notices posted at the office"),
      ("Cổng dịch vụ công", "The online public service portal"),
      ("Ứng dụng VNeID", "The VNeID application"),
      ("Hỏi trực tiếp cán bộ", "Asking an officer"),
      ("Người thân, bạn bè", "Family or friends")]),
    # Access to the service
    (QuestionType.agreement, "facilities", True, False,
     "Nơi tiếp đón có đủ chỗ ngồi, sạch sẽ và thuận tiện.", "The reception area had enough seats, was clean and convenient.",
     "", "", []),
    (QuestionType.agreement, "facilities", True, False,
     "Trang thiết bị phục vụ người dân (máy lấy số, máy tính tra cứu…) đầy đủ, dễ sử dụng.",
     "The equipment for citizens (queue machine, lookup computer…) was sufficient and easy to use.", "", "", []),
    # Administrative procedure
    (QuestionType.agreement, "procedure", True, False,
     "Thủ tục hành chính được niêm yết công khai, đầy đủ, chính xác.",
     "The procedure was publicly posted, complete and accurate.", "", "", []),
    (QuestionType.agreement, "procedure", True, False,
     "Giấy tờ phải nộp và phí, lệ phí đúng như quy định được niêm yết.",
     "The documents and fees required matched the posted rules.", "", "", []),
    (QuestionType.agreement, "procedure", True, False,
     "Thời hạn giải quyết theo quy định là hợp lý.", "The official processing time is reasonable.", "", "", []),
    # Officers: attitude and competence
    (QuestionType.agreement, "demeanour", True, False,
     "Cán bộ tiếp nhận có thái độ lịch sự, tôn trọng người dân.", "The officer was polite and respectful.", "", "", []),
    (QuestionType.agreement, "demeanour", True, False,
     "Cán bộ chú ý lắng nghe và trả lời đầy đủ câu hỏi của ông/bà.",
     "The officer listened carefully and answered your questions fully.", "", "", []),
    (QuestionType.agreement, "procedure", True, False,
     "Cán bộ hướng dẫn kê khai hồ sơ tận tình, chu đáo, dễ hiểu.",
     "The officer explained the forms patiently, carefully and clearly.", "", "", []),
    (QuestionType.agreement, "integrity", True, False,
     "Cán bộ tuân thủ đúng quy định, không gây phiền hà, không đòi hỏi tiền hay quà.",
     "The officer followed the rules, caused no trouble and asked for no money or gifts.", "", "", []),
    # Result
    (QuestionType.agreement, "procedure", True, False,
     "Kết quả được trả đúng hẹn.", "The result was delivered on the promised date.",
     "Nếu chưa nhận kết quả, xin chọn theo dự kiến của ông/bà.", "If you have not received it yet, answer as you expect.", []),
    (QuestionType.agreement, "procedure", True, False,
     "Kết quả đầy đủ, chính xác.", "The result was complete and correct.", "", "", []),
    (QuestionType.yes_no, "responsiveness", True, False,
     "Ông/bà có phải đi lại nhiều lần để hoàn thành thủ tục không?",
     "Did you have to come back several times to complete the procedure?", "", "", []),
    # Overall
    (QuestionType.stars, "overall", True, False,
     "Nhìn chung, ông/bà hài lòng thế nào về sự phục vụ của đơn vị?",
     "Overall, how satisfied are you with the service of this unit?",
     "1 sao: rất không hài lòng; 5 sao: rất hài lòng.", "1 star: very dissatisfied; 5 stars: very satisfied.", []),
    (QuestionType.recommend, "satisfaction", False, False,
     "Ông/bà có sẵn lòng giới thiệu người thân đến làm thủ tục tại đơn vị này không?",
     "How likely are you to recommend this unit to family or friends who need a procedure?",
     "0: chắc chắn không; 10: chắc chắn có.", "0: certainly not; 10: certainly yes.", []),
    (QuestionType.long_text, None, False, False,
     "Ông/bà có góp ý gì để đơn vị phục vụ tốt hơn?", "What could the unit do to serve you better?",
     "Góp ý của ông/bà được chuyển đến lãnh đạo đơn vị. Xin đừng ghi họ tên, số điện thoại.",
     "Your suggestion goes to the unit's leaders. Please do not write names or phone numbers.", []),
]
